// Progress: a one-line progress display on stderr for long commands (load,
// dump, compact, bench), drawn only when stderr is a terminal, so that
// nothing extra appears when the output is piped or logged.
//
// The line shows items done, items per second, and when the total work is
// known a bar, a percentage and the time left (ETA), e.g.
//   load  [########............]  41%  1.20M items  310k items/s  ETA 0:07
// Nothing is drawn during the first 0.3 s, so quick commands do not flash a
// line; then it is redrawn at most ten times a second.
//
// Thread safety: one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace strata_tool {

class Progress {
 public:
  // `label` starts the line; `unit` names what items are ("items",
  // "entries"). `total` is the amount of work in the units passed to Update
  // as `done` (bytes of input, say), 0 when unknown. `enabled` false (or
  // stderr not a terminal) draws nothing.
  Progress(std::string label, std::string unit, uint64_t total, bool enabled);
  // Clears the line if it is still drawn.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `items` processed so far; `done` of `total` work units. Cheap enough to
  // call per item: it looks at the clock only every 64 calls.
  void Update(uint64_t items, uint64_t done);
  // Update for loops that call it rarely (a few times a second).
  void Refresh(uint64_t items, uint64_t done);
  // Replaces the label (a phase change), redrawing at the next Update.
  void SetLabel(std::string label);
  // Clears the line.
  void Finish();

  bool active() const { return enabled_; }

 private:
  void Draw(uint64_t items, uint64_t done);

  std::string label_;
  std::string unit_;
  uint64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  uint64_t calls_ = 0;
};

// Whether stderr is a terminal (the test for drawing progress).
bool StderrIsTerminal();

}  // namespace strata_tool
