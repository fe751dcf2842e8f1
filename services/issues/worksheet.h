// The worksheet of worked example 2 (埼玉県立大学「効果的な計画を策定するための考え方マニュアル」
// p.28, as used by Inagi City): 問1 theme, 問2 target state, 問3 causes (at most four) with the
// main cause and the root cause, 問4 countermeasures by audience, 問5 expected changes and the
// indicators that measure them. Markdown for reading and sharing; CSV (UTF-8 with BOM, one row
// per item) for spreadsheets.
#pragma once

#include "renkei/v1/issues.pb.h"

namespace renkei::issues {

v1::Worksheet RenderWorksheet(const v1::RegionalIssue& issue, v1::WorksheetFormat format);

}  // namespace renkei::issues
