#include "tools/strata/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "tools/strata/tool.h"

namespace strata_tool {

namespace {
int TerminalWidth() {
  struct winsize ws;
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) return ws.ws_col;
  return 80;
}

std::string Clock(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}
}  // namespace

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

Progress::Progress(std::string label, std::string unit, uint64_t total, bool enabled)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      enabled_(enabled && StderrIsTerminal()),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { Finish(); }

void Progress::SetLabel(std::string label) { label_ = std::move(label); }

void Progress::Update(uint64_t items, uint64_t done) {
  if (!enabled_) return;
  // Reading the clock costs little, but not nothing: look every 64 calls.
  if ((++calls_ & 63) != 1) return;
  Refresh(items, done);
}

void Progress::Refresh(uint64_t items, uint64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  // Nothing for commands that end quickly; then ten redraws a second.
  if (now - start_ < std::chrono::milliseconds(300)) return;
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(items, done);
}

void Progress::Draw(uint64_t items, uint64_t done) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(items) / elapsed : 0;
  std::string line = label_ + "  ";
  std::string tail = HumanCount(static_cast<double>(items)) + " " + unit_ + "  " +
                     HumanCount(rate) + " " + unit_ + "/s";
  if (total_ > 0) {
    const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
    const int width = std::max(10, std::min(30, TerminalWidth() - 60));
    const int filled = static_cast<int>(fraction * width);
    line += "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
    char pct[16];
    std::snprintf(pct, sizeof(pct), " %3.0f%%  ", fraction * 100);
    line += pct;
    if (fraction > 0.001 && elapsed > 0.5) {
      tail += "  ETA " + Clock(elapsed / fraction - elapsed);
    }
  } else {
    tail += "  " + Clock(elapsed);
  }
  line += tail;
  const size_t width = static_cast<size_t>(TerminalWidth() - 1);
  if (line.size() > width) line.resize(width);
  std::fprintf(stderr, "\r%s\033[K", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace strata_tool
