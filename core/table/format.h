// The on-disk layout of a table (an .sst file) and the primitive that reads
// one block back from it.
//
// A table is a sequence of blocks followed by a fixed-size footer:
//
//   [data block 0] ... [data block N-1]
//   [filter block]        optional: a bloom filter over every user key
//   [index block]         one entry per data block
//   [properties block]    counts, key range, how the table was built
//   [footer]              Footer::kEncodedLength bytes at the very end
//
// Every block is stored as `contents` followed by a 5-byte trailer:
//
//   contents : handle.size() bytes, compressed or not
//   kind     : 1 byte, a CompressionKind (core/options.h)
//   checksum : fixed32, Checksum32 over contents and the kind byte
//
// The checksum covers the kind byte so that a flipped kind cannot make a
// reader run the wrong decompressor over good bytes. The stored contents of a
// compressed block are:
//
//   kLz4  : varint32 uncompressed size, then an LZ4 block (LZ4_compress_default)
//   kZstd : one zstd frame, which records its own content size
//
// A BlockHandle names a block by the offset of its contents and their stored
// size, trailer excluded; encoded as two varint64s.
//
// The footer, fixed-size so that a reader finds it from the file size alone:
//
//   index handle, filter handle, properties handle   varints, zero-padded to 60 bytes
//   format_version : fixed32 (kTableFormatVersion)
//   checksum       : fixed32, Checksum32 of the 64 bytes above
//   magic          : fixed64 (kTableMagicNumber)
//
// A filter handle of size 0 means the table has no filter block.
//
// Thread safety: pure functions and values. ReadBlock may run concurrently on
// one RandomAccessFile (whose Read is thread-safe).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/env.h"
#include "core/options.h"
#include "core/status.h"

namespace strata {

// Bytes on disk: 0x89 'S' 'T' 'B' '\r' '\n' 0x1a '\n'. The high first byte and
// the CR/LF/EOF bytes catch files mangled by text-mode transfers (the PNG
// trick), and the value is unlike any varint prefix.
inline constexpr uint64_t kTableMagicNumber = 0x0a1a0a0d42545389ull;
inline constexpr uint32_t kTableFormatVersion = 1;

// Compression kind byte + fixed32 checksum.
inline constexpr size_t kBlockTrailerBytes = 5;

// No block may hold more than this many bytes, stored or uncompressed. Values
// are at most 1 GiB (KV_MAX_VALUE_LEN) and keys 64 KiB, so one entry always
// fits; the bound exists so that a damaged size can never make a reader
// allocate without limit, and so that block offsets fit in 32 bits.
inline constexpr uint64_t kMaxBlockBytes = uint64_t{2} << 30;  // 2 GiB

// Where a block lives in a file.
class BlockHandle {
 public:
  // Two varint64s.
  static constexpr size_t kMaxEncodedLength = 20;

  BlockHandle() = default;
  BlockHandle(uint64_t offset, uint64_t size) : offset_(offset), size_(size) {}

  // The offset of the block's first byte in the file.
  uint64_t offset() const { return offset_; }
  // The stored size of the block's contents, not counting its trailer.
  uint64_t size() const { return size_; }
  void set_offset(uint64_t offset) { offset_ = offset; }
  void set_size(uint64_t size) { size_ = size; }

  void EncodeTo(std::string* dst) const;
  // Consumes a handle from the front of *input. Corruption when truncated or
  // malformed; *this is then unspecified.
  Status DecodeFrom(std::string_view* input);

 private:
  uint64_t offset_ = 0;
  uint64_t size_ = 0;
};

// The fixed-size tail of every table.
struct Footer {
  static constexpr size_t kHandleAreaBytes = 3 * BlockHandle::kMaxEncodedLength;
  static constexpr size_t kEncodedLength = kHandleAreaBytes + 4 + 4 + 8;

  BlockHandle index_handle;
  BlockHandle filter_handle;  // size() == 0: no filter block
  BlockHandle properties_handle;
  uint32_t format_version = kTableFormatVersion;

  // Appends exactly kEncodedLength bytes.
  void EncodeTo(std::string* dst) const;
  // REQUIRES: input.size() == kEncodedLength (anything else is Corruption).
  // Corruption for a bad magic number or checksum, NotSupported for a format
  // version this build does not read.
  Status DecodeFrom(std::string_view input);
};

// A block read from a file: the uncompressed contents, trailer stripped.
struct BlockContents {
  std::string data;
};

// Reads the block at `handle`, checks its trailer and decompresses it into
// *out. With verify_checksum a checksum mismatch is Corruption naming the
// block's offset; without it damage may go unnoticed here, but the caller's
// block parser still never reads out of bounds. A short read (the handle
// points past the end of the file) is Corruption; an unknown compression kind
// is NotSupported when the checksum vouches for the block (a newer writer) and
// Corruption otherwise. On failure *out is unspecified. `in_sequence`: the
// read is one of a run in file order (RandomAccessFile::ReadInSequence).
Status ReadBlock(const RandomAccessFile* file, const BlockHandle& handle, bool verify_checksum,
                 BlockContents* out, bool in_sequence = false);

// The same checks for a block already in memory: `file_bytes` is the whole
// table (a mapped file, RandomAccessFile::mapped) and the handle must lie
// inside it with its trailer. An uncompressed block is not copied: *in_place
// points at its contents inside file_bytes and *out is untouched. A
// compressed one is decompressed into *out and *in_place is empty.
Status ReadBlockInPlace(std::string_view file_bytes, const BlockHandle& handle,
                        bool verify_checksum, std::string_view* in_place, BlockContents* out);

// Compresses blocks for storage. Owns codec state that is reused across
// blocks (a zstd context), so one belongs to one TableBuilder.
//
// Thread safety: one thread at a time.
class BlockCompressor {
 public:
  BlockCompressor();
  ~BlockCompressor();
  BlockCompressor(const BlockCompressor&) = delete;
  BlockCompressor& operator=(const BlockCompressor&) = delete;

  // Compresses raw with `kind` and returns the kind actually used: kNone, with
  // *stored pointing at raw, when compression is off, failed, or did not save
  // at least 12.5% (a block that barely shrinks costs a decompression on every
  // read for almost no space). Otherwise *stored points into an internal
  // buffer valid until the next call.
  CompressionKind Compress(std::string_view raw, CompressionKind kind, std::string_view* stored);

 private:
  std::string buffer_;
  void* zstd_context_ = nullptr;  // ZSTD_CCtx*, created on first use
};

}  // namespace strata
