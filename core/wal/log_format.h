// The record format shared by write-ahead logs and the manifest.
//
// A log is a sequence of records, each:
//   header_checksum : fixed32  Checksum32 of the 8 bytes that follow it
//   length          : fixed32  payload bytes
//   payload_checksum: fixed32  Checksum32 of the payload
//   payload         : length bytes
// The header has its own checksum so that a damaged length is detected
// before it is trusted. docs/FORMATS.md states how a reader tells a torn tail
// (cut and ignored) from damage in the middle (reported as corruption).
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata::log {

inline constexpr size_t kHeaderBytes = 12;
// Payloads larger than this are refused by the writer and treated as damage
// by the reader, so a damaged length can never make it allocate without bound.
inline constexpr uint32_t kMaxPayloadBytes = 0xC0000000u;  // 3 GiB

}  // namespace strata::log
