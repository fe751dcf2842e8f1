// The liaison contacts (連携窓口) of the municipality's resources as a contact list to share with
// professionals (sharing.proto's documents of kind contact list).
#include "renkei/common/csv.h"
#include "renkei/common/dates.h"
#include "renkei/common/labels.h"
#include "renkei/common/status_macros.h"
#include "resource_survey.h"

namespace renkei::directory {
namespace {

// A cell Excel would read as a formula (=, +, -, @, or a tab or CR first) is given a leading
// apostrophe: names and departments come from the providers' own answers.
std::string Cell(const std::string& text) {
  if (!text.empty() && std::string_view("=+-@\t\r").find(text[0]) != std::string_view::npos) {
    return "'" + text;
  }
  return text;
}

}  // namespace

absl::StatusOr<v1::LiaisonContactList> ResourceSurveys::ExportLiaisonContacts(
    const v1::ExportLiaisonContactsRequest& r) const {
  if (options_.municipality_code.empty()) {
    return absl::FailedPreconditionError(
        "連携窓口一覧は市区町村のインスタンスで作ります / contact lists are a municipality's");
  }
  ASSIGN_OR_RETURN(std::vector<v1::Resource> resources,
                   directory_->ResourcesOf(options_.municipality_code, {}, false));
  v1::LiaisonContactList out;
  // A byte order mark: Excel opens the file as UTF-8.
  std::string csv = "\xEF\xBB\xBF";
  common::AppendCsvRow(
      {"名称", "種別", "所在地", "部署", "電話", "FAX", "メール", "最終確認日", "関係者限り"},
      &csv);
  for (const auto& res : resources) {
    const v1::LiaisonContact& l = res.liaison();
    if (l.department().empty() && l.phone().empty() && l.email().empty() && l.fax().empty()) {
      continue;
    }
    if (l.internal() && !r.include_internal()) continue;
    // Phone and fax numbers are digits and punctuation only (validated): never a formula.
    common::AppendCsvRow(
        {Cell(res.name()), std::string(common::Label(res.kind())), Cell(res.address()),
         Cell(l.department()), l.phone(), l.fax(), Cell(l.email()),
         res.source().last_verified().year() == 0
             ? ""
             : common::FormatDate(res.source().last_verified()),
         l.internal() ? "はい" : ""},
        &csv);
    out.set_rows(out.rows() + 1);
    if (l.internal()) out.set_internal_rows(out.internal_rows() + 1);
  }
  const v1::Date today = Today();
  out.set_file_name("連携窓口一覧_" + options_.municipality_code + "_" +
                    std::to_string(common::DateNumber(today)) + ".csv");
  out.set_content_type("text/csv; charset=utf-8");
  out.set_content(std::move(csv));
  return out;
}

}  // namespace renkei::directory
