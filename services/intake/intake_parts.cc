#include "intake_parts.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "digest.h"
#include "intake_rules.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"
#include "renkei/common/text.h"

namespace renkei::intake {

// Default period for lists and seeds: everything.
int64_t FromMicros(const v1::Date& d) {
  return d.year() == 0 ? INT64_MIN / 2 : common::TokyoStartOfDay(d);
}
int64_t ToMicrosExclusive(const v1::Date& d) {
  if (d.year() == 0) return INT64_MAX / 2;
  return common::TokyoStartOfDay(d) + 86400LL * 1000000;
}

// `from_field` and `to_field` name the dates in the request ("raised_from", "from").
void CheckPeriod(const v1::Date& from, const v1::Date& to, bool required,
                 const std::string& from_field, const std::string& to_field, FieldViolations* v) {
  v->CheckDate(from_field, from.year(), from.month(), from.day(), required);
  v->CheckDate(to_field, to.year(), to.month(), to.day(), required);
  if (v->empty() && from.year() != 0 && to.year() != 0 &&
      common::DateNumber(to) < common::DateNumber(from)) {
    v->Add(to_field, from_field + " より前です / before " + from_field);
  }
}

v1::ConsultationSummary Summarize(const v1::Consultation& c) {
  v1::ConsultationSummary s;
  s.set_id(c.id());
  *s.mutable_received_at() = c.received_at();
  s.set_source_type(c.source_type());
  s.set_status(c.status());
  for (const auto& n : c.needs()) s.add_need_capabilities(n.capability());
  s.set_referrals(c.referrals_size());
  int open = 0;
  for (const auto& f : c.follow_ups()) open += !f.done();
  s.set_open_follow_ups(open);
  s.set_version(c.version());
  return s;
}

// When a consultation that has ended ended: its last move into its current status.
int64_t EndedAtMicros(const v1::Consultation& c) {
  for (int i = c.history_size() - 1; i >= 0; --i) {
    if (c.history(i).to() == c.status()) return common::MicrosFromTimestamp(c.history(i).at());
  }
  return common::MicrosFromTimestamp(c.updated_at());
}

std::string NeedLabel(const v1::Need& n, const common::CapabilityVocabulary& vocab) {
  std::string out = vocab.LabelOf(n.capability());
  for (const auto& also : n.also_requires()) out += "＋" + vocab.LabelOf(also);
  return out;
}

}  // namespace renkei::intake
