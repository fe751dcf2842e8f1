// Words on renkeictl's command line for enum values. Each command file keeps its own tables of
// words, in the order of the enum, e.g.
//
//   constexpr Word<v1::Channel> kChannels[] = {
//       {"phone", v1::CHANNEL_PHONE},
//       {"visit", v1::CHANNEL_VISIT},
//   };
//
// and uses these functions to list the words in help texts, check and parse them, and label values
// in its output. A table holds only words: the labels people see are the enum values' own
// (renkei/common/labels.h), the same on the console and in the services' texts.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "renkei/common/labels.h"

namespace renkei::cli {

template <typename E>
struct Word {
  const char* word;
  E value;
  // Appended to the label in help texts (Choices): "独自 (このインスタンスで追加)". Optional.
  const char* note = nullptr;
};

template <typename E, size_t N>
std::vector<std::string> Words(const Word<E> (&table)[N]) {
  std::vector<std::string> out;
  for (const auto& w : table) out.push_back(w.word);
  return out;
}

template <typename E, size_t N>
bool IsWord(const Word<E> (&table)[N], const std::string& word) {
  for (const auto& w : table) {
    if (word == w.word) return true;
  }
  return false;
}

// The words are checked when parsing (CLI::IsMember, WordCheck); `fallback` is never expected.
template <typename E, size_t N>
E FromWord(const Word<E> (&table)[N], const std::string& word, E fallback) {
  for (const auto& w : table) {
    if (word == w.word) return w.value;
  }
  return fallback;
}

// The word for `value`; "" when the table has none.
template <typename E, size_t N>
std::string WordOf(const Word<E> (&table)[N], E value) {
  for (const auto& w : table) {
    if (w.value == value) return w.word;
  }
  return "";
}

// The label of `value` (the enum value's); "" when the table has no such value.
template <typename E, size_t N>
std::string LabelOf(const Word<E> (&table)[N], E value) {
  for (const auto& w : table) {
    if (w.value == value) return std::string(common::Label(value, ""));
  }
  return "";
}

// For help texts: "phone=電話, visit=来所・訪問, ...".
template <typename E, size_t N>
std::string Choices(const Word<E> (&table)[N]) {
  std::string out;
  for (const auto& w : table) {
    out += (out.empty() ? "" : ", ") + std::string(w.word) + "=" +
           std::string(common::Label(w.value, "")) +
           (w.note ? " (" + std::string(w.note) + ")" : std::string());
  }
  return out;
}

// For error messages: "phone, visit, ...".
template <typename E, size_t N>
std::string WordList(const Word<E> (&table)[N]) {
  std::string out;
  for (const auto& w : table) out += (out.empty() ? "" : ", ") + std::string(w.word);
  return out;
}

// Rejects a word not in the table, listing the valid ones (a usage error, exit 2). With a
// delimiter, CLI11 checks each word of "a,b" separately. `what` names the option's values in the
// message ("不明な<what>です") and must outlive the validator (a string literal).
template <typename E, size_t N>
CLI::Validator WordCheck(const Word<E> (&table)[N], const char* what) {
  return CLI::Validator(
      [&table, what](std::string& s) -> std::string {
        if (IsWord(table, s)) return "";
        return std::string("不明な") + what + "です / unknown word: " + s +
               " (使える語 / valid: " + WordList(table) + ")";
      },
      "WORD", what);
}

}  // namespace renkei::cli
