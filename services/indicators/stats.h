// The arithmetic of comparisons and roll-ups: quartiles, ranks, combining jurisdictions'
// values from their numerators and denominators, and small-cell suppression.
#pragma once

#include <optional>
#include <vector>

#include "renkei/v1/indicators.pb.h"

namespace renkei::indicators {

// One jurisdiction's value for one period.
struct Cell {
  double value = 0;
  std::optional<double> numerator, denominator;
};

// The q-quantile (0..1) of the values by linear interpolation between closest ranks (Excel's
// QUARTILE.INC, numpy's default); 0 for no values.
double Quantile(std::vector<double> values, double q);

// Competition ranks ("1224"): 1 is the best by `direction` (higher is better unless
// DIRECTION_LOWER_IS_BETTER); equal values share a rank.
std::vector<int> Ranks(const std::vector<double>& values, v1::Direction direction);

// A parent's cell from its children's: counts add up; a ratio is Σ numerators / Σ denominators
// (never an average of ratios); a mean or survey score is weighted by the children's
// denominators (numbers of responses) when every child gives one, else the plain mean of the
// values. nullopt when nothing can be computed (no cells, or Σ denominators = 0 for a ratio).
std::optional<Cell> Combine(const std::vector<Cell>& cells, v1::IndicatorKind kind);

struct SuppressionRule {
  double max_small_count = 9;   // counts 1..this are withheld
  double min_denominator = 10;  // ratios (and means) over fewer are withheld
};

// Whether the cell is withheld from anything published outside the owning jurisdiction.
bool Suppressed(const Cell& cell, v1::IndicatorKind kind, const SuppressionRule& rule);

}  // namespace renkei::indicators
