#include "stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace renkei::indicators {

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

std::vector<int> Ranks(const std::vector<double>& values, v1::Direction direction) {
  const bool lower_better = direction == v1::DIRECTION_LOWER_IS_BETTER;
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return lower_better ? values[a] < values[b] : values[a] > values[b];
  });
  std::vector<int> ranks(values.size());
  for (size_t i = 0; i < order.size(); ++i) {
    if (i > 0 && values[order[i]] == values[order[i - 1]]) {
      ranks[order[i]] = ranks[order[i - 1]];
    } else {
      ranks[order[i]] = static_cast<int>(i) + 1;
    }
  }
  return ranks;
}

std::optional<Cell> Combine(const std::vector<Cell>& cells, v1::IndicatorKind kind) {
  if (cells.empty()) return std::nullopt;
  Cell out;
  switch (kind) {
    case v1::INDICATOR_KIND_RATIO: {
      double num = 0, den = 0;
      for (const auto& c : cells) {
        if (!c.numerator || !c.denominator) return std::nullopt;
        num += *c.numerator;
        den += *c.denominator;
      }
      if (den <= 0) return std::nullopt;
      out.numerator = num;
      out.denominator = den;
      out.value = num / den;
      return out;
    }
    case v1::INDICATOR_KIND_MEAN:
    case v1::INDICATOR_KIND_SURVEY_SCORE: {
      const bool weighted = std::all_of(cells.begin(), cells.end(), [](const Cell& c) {
        return c.denominator && *c.denominator > 0;
      });
      double sum = 0, n = 0;
      for (const auto& c : cells) {
        const double w = weighted ? *c.denominator : 1;
        sum += c.value * w;
        n += w;
      }
      out.value = sum / n;
      if (weighted) {
        out.numerator = sum;
        out.denominator = n;
      }
      return out;
    }
    default: {  // counts
      for (const auto& c : cells) out.value += c.value;
      return out;
    }
  }
}

bool Suppressed(const Cell& cell, v1::IndicatorKind kind, const SuppressionRule& rule) {
  switch (kind) {
    case v1::INDICATOR_KIND_RATIO:
    case v1::INDICATOR_KIND_MEAN:
    case v1::INDICATOR_KIND_SURVEY_SCORE:
      return cell.denominator && *cell.denominator < rule.min_denominator;
    default:
      return cell.value >= 1 && cell.value <= rule.max_small_count;
  }
}

}  // namespace renkei::indicators
