#include "core/table/format.h"

#include <lz4.h>
#include <zstd.h>

#include <cstring>

#include "core/checksum.h"
#include "core/coding.h"

namespace strata {

namespace {

// zstd's own default level: a good ratio at flush-friendly speed.
constexpr int kZstdLevel = 3;

// Upper bounds on how much a codec can expand its input, used to reject a
// damaged size before allocating for it. An LZ4 sequence's length bytes each
// add at most 255 output bytes; a zstd block of at least 4 bytes (a 3-byte
// header and one RLE byte) yields at most 128 KiB.
constexpr uint64_t kLz4MaxExpansion = 256;
constexpr uint64_t kZstdMaxExpansion = 32768;

std::string AtOffset(uint64_t offset) { return " at offset " + std::to_string(offset); }

Status DecompressLz4(std::string_view stored, uint64_t offset, std::string* out) {
  uint32_t raw_size = 0;
  std::string_view input = stored;
  if (!GetVarint32(&input, &raw_size)) {
    return Status::Corruption("lz4 block" + AtOffset(offset) + " has a bad size prefix");
  }
  if (raw_size > kMaxBlockBytes || raw_size > input.size() * kLz4MaxExpansion + 64 ||
      input.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
    return Status::Corruption("lz4 block" + AtOffset(offset) + " claims an impossible size " +
                              std::to_string(raw_size));
  }
  out->resize(raw_size);
  int n = LZ4_decompress_safe(input.data(), out->data(), static_cast<int>(input.size()),
                              static_cast<int>(raw_size));
  if (n < 0 || static_cast<uint32_t>(n) != raw_size) {
    return Status::Corruption("lz4 block" + AtOffset(offset) + " does not decompress");
  }
  return Status::OK();
}

Status DecompressZstd(std::string_view stored, uint64_t offset, std::string* out) {
  unsigned long long raw_size = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (raw_size == ZSTD_CONTENTSIZE_UNKNOWN || raw_size == ZSTD_CONTENTSIZE_ERROR) {
    return Status::Corruption("zstd block" + AtOffset(offset) + " has no readable frame header");
  }
  if (raw_size > kMaxBlockBytes || raw_size > stored.size() * kZstdMaxExpansion) {
    return Status::Corruption("zstd block" + AtOffset(offset) + " claims an impossible size " +
                              std::to_string(raw_size));
  }
  out->resize(static_cast<size_t>(raw_size));
  size_t n = ZSTD_decompress(out->data(), out->size(), stored.data(), stored.size());
  if (ZSTD_isError(n) || n != raw_size) {
    return Status::Corruption("zstd block" + AtOffset(offset) + " does not decompress");
  }
  return Status::OK();
}

}  // namespace

void BlockHandle::EncodeTo(std::string* dst) const {
  PutVarint64(dst, offset_);
  PutVarint64(dst, size_);
}

Status BlockHandle::DecodeFrom(std::string_view* input) {
  if (GetVarint64(input, &offset_) && GetVarint64(input, &size_)) return Status::OK();
  return Status::Corruption("bad block handle");
}

void Footer::EncodeTo(std::string* dst) const {
  const size_t start = dst->size();
  index_handle.EncodeTo(dst);
  filter_handle.EncodeTo(dst);
  properties_handle.EncodeTo(dst);
  dst->resize(start + kHandleAreaBytes, '\0');
  PutFixed32(dst, format_version);
  PutFixed32(dst, Checksum32(dst->data() + start, kHandleAreaBytes + 4));
  PutFixed64(dst, kTableMagicNumber);
}

Status Footer::DecodeFrom(std::string_view input) {
  if (input.size() != kEncodedLength) {
    return Status::Corruption("table footer has " + std::to_string(input.size()) +
                              " bytes, expected " + std::to_string(kEncodedLength));
  }
  // The magic number first: a file that is not a table at all deserves that
  // message rather than "bad checksum".
  const char* p = input.data();
  if (DecodeFixed64(p + kHandleAreaBytes + 8) != kTableMagicNumber) {
    return Status::Corruption("bad magic number: not a strata table");
  }
  if (DecodeFixed32(p + kHandleAreaBytes + 4) != Checksum32(p, kHandleAreaBytes + 4)) {
    return Status::Corruption("table footer checksum mismatch");
  }
  format_version = DecodeFixed32(p + kHandleAreaBytes);
  if (format_version != kTableFormatVersion) {
    return Status::NotSupported("table format version " + std::to_string(format_version) +
                                " is not supported (this build reads version " +
                                std::to_string(kTableFormatVersion) + ")");
  }
  std::string_view handles(p, kHandleAreaBytes);
  STRATA_RETURN_IF_ERROR(index_handle.DecodeFrom(&handles));
  STRATA_RETURN_IF_ERROR(filter_handle.DecodeFrom(&handles));
  STRATA_RETURN_IF_ERROR(properties_handle.DecodeFrom(&handles));
  return Status::OK();
}

namespace {

// Checks the trailer after the n stored bytes at `stored` and reports the
// block's compression kind.
Status CheckTrailer(const char* stored, size_t n, uint64_t offset, bool verify_checksum,
                    CompressionKind* kind) {
  const unsigned char byte = static_cast<unsigned char>(stored[n]);
  if (verify_checksum) {
    uint32_t expected = DecodeFixed32(stored + n + 1);
    uint32_t actual = Checksum32(stored, n + 1);
    if (expected != actual) {
      return Status::Corruption("block checksum mismatch" + AtOffset(offset) + " (size " +
                                std::to_string(n) + ")");
    }
  }
  switch (static_cast<CompressionKind>(byte)) {
    case CompressionKind::kNone:
    case CompressionKind::kLz4:
    case CompressionKind::kZstd:
      *kind = static_cast<CompressionKind>(byte);
      return Status::OK();
  }
  std::string what = "block" + AtOffset(offset) + " uses unknown compression kind " +
                     std::to_string(byte);
  // A checksum that vouches for the byte means a newer writer, not damage.
  if (verify_checksum) return Status::NotSupported(what);
  return Status::Corruption(what);
}

Status Decompress(CompressionKind kind, std::string_view stored, uint64_t offset,
                  BlockContents* out) {
  if (kind == CompressionKind::kLz4) return DecompressLz4(stored, offset, &out->data);
  return DecompressZstd(stored, offset, &out->data);
}

Status CheckBlockSize(const BlockHandle& handle) {
  if (handle.size() > kMaxBlockBytes) {
    return Status::Corruption("block" + AtOffset(handle.offset()) +
                              " claims an impossible size " + std::to_string(handle.size()));
  }
  return Status::OK();
}

}  // namespace

Status ReadBlock(const RandomAccessFile* file, const BlockHandle& handle, bool verify_checksum,
                 BlockContents* out, bool in_sequence) {
  const uint64_t offset = handle.offset();
  STRATA_RETURN_IF_ERROR(CheckBlockSize(handle));
  const size_t n = static_cast<size_t>(handle.size());
  // Read contents and trailer straight into the string that will become the
  // block, so an uncompressed block is never copied.
  std::string buf;
  buf.resize(n + kBlockTrailerBytes);
  std::string_view got;
  STRATA_RETURN_IF_ERROR(in_sequence ? file->ReadInSequence(offset, buf.size(), &got, buf.data())
                                     : file->Read(offset, buf.size(), &got, buf.data()));
  if (got.size() != buf.size()) {
    return Status::Corruption("truncated block read" + AtOffset(offset) + ": wanted " +
                              std::to_string(buf.size()) + " bytes, got " +
                              std::to_string(got.size()));
  }
  if (got.data() != buf.data()) std::memcpy(buf.data(), got.data(), got.size());

  CompressionKind kind;
  STRATA_RETURN_IF_ERROR(CheckTrailer(buf.data(), n, offset, verify_checksum, &kind));
  if (kind == CompressionKind::kNone) {
    buf.resize(n);
    out->data = std::move(buf);
    return Status::OK();
  }
  return Decompress(kind, std::string_view(buf.data(), n), offset, out);
}

Status ReadBlockInPlace(std::string_view file_bytes, const BlockHandle& handle,
                        bool verify_checksum, std::string_view* in_place, BlockContents* out) {
  *in_place = {};
  const uint64_t offset = handle.offset();
  STRATA_RETURN_IF_ERROR(CheckBlockSize(handle));
  const size_t n = static_cast<size_t>(handle.size());
  if (offset > file_bytes.size() || n + kBlockTrailerBytes > file_bytes.size() - offset) {
    return Status::Corruption("truncated block read" + AtOffset(offset) + ": wanted " +
                              std::to_string(n + kBlockTrailerBytes) + " bytes of a file of " +
                              std::to_string(file_bytes.size()));
  }
  const char* stored = file_bytes.data() + offset;
  CompressionKind kind;
  STRATA_RETURN_IF_ERROR(CheckTrailer(stored, n, offset, verify_checksum, &kind));
  if (kind == CompressionKind::kNone) {
    *in_place = std::string_view(stored, n);
    return Status::OK();
  }
  return Decompress(kind, std::string_view(stored, n), offset, out);
}

BlockCompressor::BlockCompressor() = default;

BlockCompressor::~BlockCompressor() {
  if (zstd_context_ != nullptr) ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(zstd_context_));
}

CompressionKind BlockCompressor::Compress(std::string_view raw, CompressionKind kind,
                                          std::string_view* stored) {
  *stored = raw;
  switch (kind) {
    case CompressionKind::kNone:
      return CompressionKind::kNone;
    case CompressionKind::kLz4: {
      if (raw.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) return CompressionKind::kNone;
      const int bound = LZ4_compressBound(static_cast<int>(raw.size()));
      buffer_.clear();
      PutVarint32(&buffer_, static_cast<uint32_t>(raw.size()));
      const size_t prefix = buffer_.size();
      buffer_.resize(prefix + static_cast<size_t>(bound));
      int n = LZ4_compress_default(raw.data(), buffer_.data() + prefix,
                                   static_cast<int>(raw.size()), bound);
      if (n <= 0) return CompressionKind::kNone;
      buffer_.resize(prefix + static_cast<size_t>(n));
      break;
    }
    case CompressionKind::kZstd: {
      if (zstd_context_ == nullptr) zstd_context_ = ZSTD_createCCtx();
      if (zstd_context_ == nullptr) return CompressionKind::kNone;
      buffer_.resize(ZSTD_compressBound(raw.size()));
      size_t n = ZSTD_compressCCtx(static_cast<ZSTD_CCtx*>(zstd_context_), buffer_.data(),
                                   buffer_.size(), raw.data(), raw.size(), kZstdLevel);
      if (ZSTD_isError(n)) return CompressionKind::kNone;
      buffer_.resize(n);
      break;
    }
    default:
      return CompressionKind::kNone;
  }
  if (buffer_.size() >= raw.size() - raw.size() / 8) return CompressionKind::kNone;
  *stored = buffer_;
  return kind;
}

}  // namespace strata
