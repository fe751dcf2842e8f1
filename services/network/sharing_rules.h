// The rules of shared documents and notices: which files are accepted (by their contents, not
// their names alone), what valid metadata is, who a notice reaches, and the Atom feed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "renkei/common/validation.h"
#include "renkei/v1/sharing.pb.h"

namespace renkei::network {

// The content type of an accepted file: a PDF, an Excel workbook (xlsx, xls), a Word document
// (docx, doc) or a UTF-8 CSV, whose name's extension agrees with its contents; empty otherwise.
std::string SniffDocumentType(std::string_view file_name, std::string_view content);

// The file of a document version (`file_name`, `content`): a plain name of ≤ 120 characters
// with an accepted extension, ≤ 5 MiB, contents of that type. Adds violations naming the fields.
void ValidateDocumentFile(std::string_view file_name, std::string_view content,
                          common::FieldViolations* v);

// The content type files named `file_name` have (by the extension); empty for names not accepted
// (also a name with a path).
std::string TypeOfName(std::string_view file_name);

// A document's own fields (`path`: "document").
void ValidateDocumentFields(const v1::SharedDocument& d, std::string_view path,
                            common::FieldViolations* v);

// A notice's fields (`path`: "notice"); `own_code` is the issuing instance's jurisdiction, which
// the notice's jurisdiction must equal or lie within.
void ValidateNotice(const v1::Notice& n, std::string_view own_code, std::string_view path,
                    common::FieldViolations* v);

// Whether a notice for `notice_audiences` reaches someone who asked for `wanted` (either empty:
// everyone / everything).
bool Reaches(const google::protobuf::RepeatedField<int>& notice_audiences,
             const google::protobuf::RepeatedField<int>& wanted);

// Whether `jurisdiction_code` is `own` or lies within it ("000000" covers all, a prefecture its
// municipalities).
bool Within(std::string_view jurisdiction_code, std::string_view own);

// The Atom feed (RFC 4287) of `notices` (newest first), titled for `jurisdiction_name`.
// `issuer_names` parallels `notices`.
std::string AtomFeed(const std::vector<v1::Notice>& notices,
                     const std::vector<std::string>& issuer_names,
                     std::string_view jurisdiction_name, std::string_view feed_url,
                     std::string_view page_url);

// "2026/12/07" for a timestamp, in Asia/Tokyo.
std::string TokyoDay(const google::protobuf::Timestamp& t);

}  // namespace renkei::network
