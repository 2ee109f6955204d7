#include "core/table/global_sequence.h"

#include "core/checksum.h"
#include "core/coding.h"
#include "core/table/block.h"
#include "core/table/format.h"
#include "core/table/table_properties.h"

namespace strata {

Status AssignGlobalSequence(Env* env, const std::string& path, SequenceNumber seq) {
  uint64_t file_size = 0;
  STRATA_RETURN_IF_ERROR(env->GetFileSize(path, &file_size));
  std::unique_ptr<RandomAccessFile> file;
  STRATA_RETURN_IF_ERROR(env->NewRandomAccessFile(path, &file));
  auto bad = [&](const std::string& what) { return Status::Corruption(path + ": " + what); };
  if (file_size < Footer::kEncodedLength) return bad("too short to be a table");

  char footer_space[Footer::kEncodedLength];
  std::string_view footer_bytes;
  STRATA_RETURN_IF_ERROR(file->Read(file_size - Footer::kEncodedLength, Footer::kEncodedLength,
                                    &footer_bytes, footer_space));
  Footer footer;
  STRATA_RETURN_IF_ERROR(footer.DecodeFrom(footer_bytes));
  const BlockHandle& h = footer.properties_handle;
  if (h.size() > kMaxBlockBytes || h.offset() > file_size - Footer::kEncodedLength ||
      h.size() + kBlockTrailerBytes > file_size - Footer::kEncodedLength - h.offset()) {
    return bad("properties block lies outside the file");
  }

  // The stored block and its trailer, read raw: the patch must rewrite the
  // very bytes on disk, so the block must be stored uncompressed.
  const size_t n = static_cast<size_t>(h.size());
  std::string raw(n + kBlockTrailerBytes, '\0');
  std::string_view got;
  STRATA_RETURN_IF_ERROR(file->Read(h.offset(), raw.size(), &got, raw.data()));
  if (got.size() != raw.size()) return bad("truncated properties block");
  if (got.data() != raw.data()) raw.assign(got);
  if (DecodeFixed32(raw.data() + n + 1) != Checksum32(raw.data(), n + 1)) {
    return bad("properties block checksum mismatch");
  }
  if (static_cast<CompressionKind>(raw[n]) != CompressionKind::kNone) {
    return bad("properties block is compressed");
  }

  size_t value_offset = 0;
  {
    Block block(BlockContents{raw.substr(0, n)});
    if (!block.well_formed()) return bad("malformed properties block");
    if (!TableProperties::FindGlobalSequence(block, &value_offset)) {
      return Status::InvalidArgument(path +
                                     " has no strata.global_sequence property: it was not "
                                     "written for ingestion (by an SST writer)");
    }
  }
  EncodeFixed64(raw.data() + value_offset, seq);
  EncodeFixed32(raw.data() + n + 1, Checksum32(raw.data(), n + 1));
  // One write from the value to the end of the trailer: the bytes between
  // are rewritten unchanged.
  const std::string_view patch = std::string_view(raw).substr(value_offset);
  file.reset();
  return env->OverwriteFileRange(path, h.offset() + value_offset, patch);
}

}  // namespace strata
