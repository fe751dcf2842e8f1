// Words on renkeictl's command line for enum values, and the labels coordinators see for them.
// Each command file keeps its own tables of words, e.g.
//
//   constexpr Word<v1::Channel> kChannels[] = {
//       {"phone", v1::CHANNEL_PHONE, "電話"},
//       {"visit", v1::CHANNEL_VISIT, "来所・訪問"},
//   };
//
// and uses these functions to list the words in help texts, check and parse them, and label values
// in its output.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace renkei::cli {

template <typename E>
struct Word {
  const char* word;
  E value;
  const char* label;  // nullptr: the label comes from RulesLabel (a service's rules)
};

// The label of a value whose table entry has none: by default there is none. A command file
// specialises it for the enums whose labels a service's rules give, in namespace renkei::cli and
// before it uses the table, e.g.
//
//   template <>
//   std::string RulesLabel(v1::SourceType v) { return std::string(intake::SourceTypeLabel(v)); }
template <typename E>
std::string RulesLabel(E) {
  return "";
}

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

// The label for `value` (the table's, or else RulesLabel's); "" when the table has no such value.
template <typename E, size_t N>
std::string LabelOf(const Word<E> (&table)[N], E value) {
  for (const auto& w : table) {
    if (w.value == value) return w.label ? w.label : RulesLabel(value);
  }
  return "";
}

// For help texts: "phone=電話, visit=来所・訪問, ...".
template <typename E, size_t N>
std::string Choices(const Word<E> (&table)[N]) {
  std::string out;
  for (const auto& w : table) {
    out += (out.empty() ? "" : ", ") + std::string(w.word) + "=" +
           (w.label ? std::string(w.label) : RulesLabel(w.value));
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
