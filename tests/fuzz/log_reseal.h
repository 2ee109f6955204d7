// ResealLogRecords: makes every checksum of a log (core/wal/log_format.h)
// match its bytes, so that fuzzed logs reach what lies behind the checksums.
//
// A mutated byte almost always breaks a record's checksum, and a reader stops
// there; fuzz targets that want to test the record length rules, the torn
// tail logic and the decoders behind them reseal first. The walk is the
// reader's: front to back, trusting each (possibly mutated) length; it stops
// at a length the reader refuses or a record that runs past the end.
#pragma once

#include <cstdint>
#include <string>

#include "core/checksum.h"
#include "core/coding.h"
#include "core/wal/log_format.h"

namespace strata::fuzz {

inline void ResealLogRecords(std::string* file) {
  size_t pos = 0;
  while (file->size() - pos >= log::kHeaderBytes) {
    char* header = file->data() + pos;
    const uint32_t length = DecodeFixed32(header + 4);
    if (length > log::kMaxPayloadBytes) return;
    EncodeFixed32(header, Checksum32(header + 4, 8));
    if (file->size() - pos - log::kHeaderBytes < length) return;
    EncodeFixed32(header + 8, Checksum32(header + log::kHeaderBytes, length));
    pos += log::kHeaderBytes + length;
  }
}

}  // namespace strata::fuzz
