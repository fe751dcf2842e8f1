#include "sharing_rules.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "renkei/common/dates.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/text.h"
#include "sharing.h"

namespace renkei::network {
namespace {

struct FileKind {
  const char* extension;
  const char* content_type;
};

constexpr FileKind kKinds[] = {
    {".pdf", "application/pdf"},
    {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {".xls", "application/vnd.ms-excel"},
    {".doc", "application/msword"},
    {".csv", "text/csv; charset=utf-8"},
};

constexpr std::string_view kZip = "PK\x03\x04";
constexpr std::string_view kOle2 = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
constexpr int kMaxFileNameChars = 120;

std::string LowerExtension(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return "";
  return absl::AsciiStrToLower(std::string(name.substr(dot)));
}

bool Contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

// What the contents say the file is, given what its name says.
bool ContentsAgree(std::string_view ext, std::string_view content) {
  if (ext == ".pdf") return content.substr(0, 5) == "%PDF-";
  // An Office Open XML package is a ZIP whose entries name the part it holds (the names are
  // stored in the clear in every local header).
  if (ext == ".xlsx") return content.substr(0, 4) == kZip && Contains(content, "xl/");
  if (ext == ".docx") return content.substr(0, 4) == kZip && Contains(content, "word/");
  if (ext == ".xls" || ext == ".doc") return content.substr(0, 8) == kOle2;
  if (ext == ".csv") {
    return !content.empty() && content.find('\0') == std::string_view::npos &&
           common::IsValidUtf8(content);
  }
  return false;
}

std::string Rfc3339(const google::protobuf::Timestamp& t) {
  return google::protobuf::util::TimeUtil::ToString(t);
}

}  // namespace

std::string TypeOfName(std::string_view file_name) {
  if (file_name.empty() || common::Utf8Length(file_name) > kMaxFileNameChars ||
      file_name.find('/') != std::string_view::npos ||
      file_name.find('\\') != std::string_view::npos || file_name.substr(0, 1) == "." ||
      !common::IsValidUtf8(file_name)) {
    return "";
  }
  const std::string ext = LowerExtension(file_name);
  for (const FileKind& k : kKinds) {
    if (ext == k.extension) return k.content_type;
  }
  return "";
}

std::string SniffDocumentType(std::string_view file_name, std::string_view content) {
  const std::string ext = LowerExtension(file_name);
  for (const FileKind& k : kKinds) {
    if (ext == k.extension) return ContentsAgree(ext, content) ? k.content_type : "";
  }
  return "";
}

void ValidateDocumentFile(std::string_view file_name, std::string_view content,
                          common::FieldViolations* v) {
  v->CheckText("file_name", file_name, {.required = true, .max_chars = kMaxFileNameChars});
  if (file_name.find('/') != std::string_view::npos ||
      file_name.find('\\') != std::string_view::npos || file_name.substr(0, 1) == ".") {
    v->Add("file_name", "フォルダを含まないファイル名にしてください / a plain file name");
    return;
  }
  if (content.empty()) {
    v->Add("content", "ファイルが空です / the file is empty");
    return;
  }
  if (static_cast<int64_t>(content.size()) > kMaxDocumentBytes) {
    v->Add("content", "ファイルは 5 MB 以下にしてください / at most 5 MiB");
    return;
  }
  const std::string ext = LowerExtension(file_name);
  const bool known = std::any_of(std::begin(kKinds), std::end(kKinds),
                                 [&](const FileKind& k) { return ext == k.extension; });
  if (!known) {
    v->Add("file_name",
           "PDF・Excel・Word・CSV のファイルにしてください / PDF, Excel, Word or CSV files only");
  } else if (!ContentsAgree(ext, content)) {
    v->Add("content", "ファイルの中身が拡張子 (" + ext +
                          ") と合いません / the contents are not a " + ext + " file");
  }
}

void ValidateDocumentFields(const v1::SharedDocument& d, std::string_view path,
                            common::FieldViolations* v) {
  const std::string p(path);
  v->CheckText(p + ".title", d.title(), {.required = true, .max_chars = 200});
  v->CheckText(p + ".description", d.description(), {.max_chars = 2000, .single_line = false});
  v->CheckEnum(p + ".kind", d.kind(), v1::DocumentKind_IsValid, false);
  v->CheckCount(p + ".audiences", d.audiences_size(), 14);
  for (int i = 0; i < d.audiences_size(); ++i) {
    v->CheckEnum(p + ".audiences[" + std::to_string(i) + "]", d.audiences(i),
                 v1::AudienceRole_IsValid, false);
  }
}

bool Within(std::string_view code, std::string_view own) {
  if (code == own) return true;
  if (own == "000000") return code.size() == 6;
  // A prefecture's 6-digit code ends in "0001" style check digits: its municipalities share
  // its first two digits.
  const bool own_is_prefecture = own.size() == 6 && own.substr(2, 3) == "000";
  return own_is_prefecture && code.size() == 6 && code.substr(0, 2) == own.substr(0, 2);
}

void ValidateNotice(const v1::Notice& n, std::string_view own_code, std::string_view path,
                    common::FieldViolations* v) {
  const std::string p(path);
  v->CheckText(p + ".title", n.title(), {.required = true, .max_chars = 200});
  v->CheckText(p + ".body", n.body(), {.required = true, .max_chars = 4000, .single_line = false});
  v->CheckCount(p + ".audiences", n.audiences_size(), 14);
  for (int i = 0; i < n.audiences_size(); ++i) {
    v->CheckEnum(p + ".audiences[" + std::to_string(i) + "]", n.audiences(i),
                 v1::AudienceRole_IsValid, false);
  }
  const auto& registry = common::Jurisdictions::Get();
  const common::Prefecture* prefecture = registry.FindPrefecture(n.jurisdiction_code());
  const bool known = n.jurisdiction_code() == "000000" ||
                     registry.FindMunicipality(n.jurisdiction_code()) != nullptr ||
                     (prefecture != nullptr && prefecture->code == n.jurisdiction_code());
  if (!n.jurisdiction_code().empty() && (!known || !Within(n.jurisdiction_code(), own_code))) {
    v->Add(p + ".jurisdiction_code",
           "この団体か管内の市区町村のコードを指定してください / this jurisdiction or one within "
           "it");
  }
  v->CheckCount(p + ".links", n.links_size(), 10);
  for (int i = 0; i < n.links_size() && i < 10; ++i) {
    const v1::NoticeLink& l = n.links(i);
    const std::string lp = p + ".links[" + std::to_string(i) + "]";
    v->CheckText(lp + ".title", l.title(), {.max_chars = 200});
    switch (l.kind()) {
      case v1::NOTICE_LINK_KIND_TRAINING:
        if (!common::IsWellFormedId("trn", l.target())) {
          v->Add(lp + ".target", "研修の ID (trn_...) を指定してください / a training id");
        }
        break;
      case v1::NOTICE_LINK_KIND_DOCUMENT:
        if (!common::IsWellFormedId("doc", l.target())) {
          v->Add(lp + ".target", "ルール・様式の ID (doc_...) を指定してください / a document id");
        }
        break;
      case v1::NOTICE_LINK_KIND_PRACTICE:
        if (!common::IsWellFormedId("prac", l.target())) {
          v->Add(lp + ".target", "取組事例の ID (prac_...) を指定してください / a practice id");
        }
        break;
      case v1::NOTICE_LINK_KIND_WEB:
        v->CheckText(lp + ".target", l.target(), {.required = true, .max_chars = 500});
        if (l.target().rfind("https://", 0) != 0 && l.target().rfind("http://", 0) != 0) {
          v->Add(lp + ".target", "http(s):// で始まるアドレスにしてください / an http(s) URL");
        }
        break;
      default:
        v->Add(lp + ".kind", "リンクの種類を選んでください / required");
    }
  }
}

bool Reaches(const google::protobuf::RepeatedField<int>& notice_audiences,
             const google::protobuf::RepeatedField<int>& wanted) {
  if (notice_audiences.empty() || wanted.empty()) return true;
  return std::any_of(notice_audiences.begin(), notice_audiences.end(), [&](int a) {
    return std::find(wanted.begin(), wanted.end(), a) != wanted.end();
  });
}

std::string TokyoDay(const google::protobuf::Timestamp& t) {
  return common::FormatDate(common::TokyoDate(common::MicrosFromTimestamp(t)));
}

std::string AtomFeed(const std::vector<v1::Notice>& notices,
                     const std::vector<std::string>& issuer_names,
                     std::string_view jurisdiction_name, std::string_view feed_url,
                     std::string_view page_url) {
  std::string updated = "1970-01-01T00:00:00Z";
  for (const auto& n : notices) updated = std::max(updated, Rfc3339(n.updated_at()));
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  out += "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ja\">\n";
  out += "  <id>" + common::EscapeMarkup(feed_url) + "</id>\n";
  out += "  <title>" + common::EscapeMarkup(jurisdiction_name) +
         " 医療・介護関係者向けお知らせ</title>\n";
  out += "  <updated>" + updated + "</updated>\n";
  out += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" +
         common::EscapeMarkup(feed_url) + "\"/>\n";
  out += "  <link rel=\"alternate\" type=\"text/html\" href=\"" + common::EscapeMarkup(page_url) +
         "\"/>\n";
  out += "  <author><name>" + common::EscapeMarkup(jurisdiction_name) + "</name></author>\n";
  for (size_t i = 0; i < notices.size(); ++i) {
    const v1::Notice& n = notices[i];
    out += "  <entry>\n";
    out += "    <id>urn:renkei:notice:" + common::EscapeMarkup(n.id()) + "</id>\n";
    out += "    <title>" + common::EscapeMarkup(n.title()) + "</title>\n";
    out += "    <published>" + Rfc3339(n.published_at()) + "</published>\n";
    out += "    <updated>" + Rfc3339(n.updated_at()) + "</updated>\n";
    out += "    <author><name>" + common::EscapeMarkup(issuer_names[i]) + "</name></author>\n";
    out += "    <link rel=\"alternate\" type=\"text/html\" href=\"" +
           common::EscapeMarkup(std::string(page_url) + "#" + n.id()) + "\"/>\n";
    out += "    <content type=\"text\">" + common::EscapeMarkup(n.body()) + "</content>\n";
    out += "  </entry>\n";
  }
  out += "</feed>\n";
  return out;
}

}  // namespace renkei::network
