// Records: one key-value entry per line, the form `load` reads and `dump`
// and `scan` write.
//
//   tsv     KEY<TAB>VALUE. Each field is spelled in its format (encoding.h);
//           in text format tabs, newlines and backslashes inside keys and
//           values are escaped, so every line splits unambiguously.
//   jsonl   one JSON object per line: {"key": "...", "value": "..."}, the
//           strings again spelled in the key and value formats.
//
// `raw` is refused for both: raw bytes could hold the separators.
// Reading tolerates CRLF line ends and skips empty lines.
//
// Thread safety: a value type.
#pragma once

#include <string>
#include <string_view>

#include "tools/strata/encoding.h"

namespace strata_tool {

enum class RecordFormat { kTsv, kJsonLines };

RecordFormat ParseRecordFormat(std::string_view name);

class RecordCodec {
 public:
  // ToolError(kExitUsage) when a format is raw.
  RecordCodec(RecordFormat format, Format key_format, Format value_format);

  // The entry as one line, without the newline.
  std::string Format(std::string_view key, std::string_view value) const;

  // Parses one line (without its newline). On failure returns false and
  // sets *error.
  bool Parse(std::string_view line, std::string* key, std::string* value,
             std::string* error) const;

 private:
  RecordFormat format_;
  strata_tool::Format key_format_;
  strata_tool::Format value_format_;
};

}  // namespace strata_tool
