#include "core/db/table_order.h"

#include <algorithm>
#include <string>

#include "core/dbformat.h"

namespace strata {

Status FindPrecedence(std::vector<std::unique_ptr<InternalIterator>> iterators,
                      std::vector<std::set<size_t>>* edges) {
  edges->assign(iterators.size(), {});
  TaggedMerge merge(std::move(iterators));
  std::string user_key;
  bool have_key = false;
  size_t newest_source = 0;
  SequenceNumber newest_sequence = 0;
  for (; merge.Valid(); merge.Next()) {
    const std::string_view key = merge.key();
    const std::string_view user = ExtractUserKey(key);
    const SequenceNumber sequence = ExtractTrailer(key) >> 8;
    if (!have_key || user != std::string_view(user_key)) {
      user_key.assign(user);
      have_key = true;
      newest_source = merge.source();
      newest_sequence = sequence;
    } else if (merge.source() != newest_source && sequence < newest_sequence) {
      (*edges)[newest_source].insert(merge.source());
    }
  }
  return merge.status();
}

// Tarjan's algorithm, keeping the components of two or more tables.
std::vector<std::vector<size_t>> Cycles(const std::vector<std::set<size_t>>& edges) {
  const size_t n = edges.size();
  std::vector<int> index(n, -1), low(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<size_t> stack;
  std::vector<std::vector<size_t>> cycles;
  int counter = 0;
  std::function<void(size_t)> visit = [&](size_t v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on_stack[v] = true;
    for (size_t w : edges[v]) {
      if (index[w] < 0) {
        visit(w);
        low[v] = std::min(low[v], low[w]);
      } else if (on_stack[w]) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] == index[v]) {
      std::vector<size_t> component;
      size_t w;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack[w] = false;
        component.push_back(w);
      } while (w != v);
      if (component.size() > 1) cycles.push_back(std::move(component));
    }
  };
  for (size_t v = 0; v < n; ++v) {
    if (index[v] < 0) visit(v);
  }
  return cycles;
}

// Kahn's algorithm, newest first.
Status NewestFirst(const std::vector<std::set<size_t>>& edges,
                   const std::function<bool(size_t, size_t)>& older, std::vector<size_t>* order) {
  const size_t n = edges.size();
  std::vector<size_t> incoming(n, 0);
  for (const auto& out : edges) {
    for (size_t w : out) ++incoming[w];
  }
  std::priority_queue<size_t, std::vector<size_t>, std::function<bool(size_t, size_t)>> ready(
      older);
  for (size_t i = 0; i < n; ++i) {
    if (incoming[i] == 0) ready.push(i);
  }
  order->clear();
  while (!ready.empty()) {
    const size_t v = ready.top();
    ready.pop();
    order->push_back(v);
    for (size_t w : edges[v]) {
      if (--incoming[w] == 0) ready.push(w);
    }
  }
  if (order->size() != n) return Status::Corruption("repair: table order has a cycle");
  return Status::OK();
}

}  // namespace strata
