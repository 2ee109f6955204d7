// How the tool spells keys and values, which are arbitrary bytes, on a
// command line, a terminal and in load/dump files.
//
//   text    printable ASCII as itself, valid UTF-8 sequences as themselves,
//           and escapes for everything else: \\ \t \n \r \0 and \xHH. Pure
//           ASCII or UTF-8 output that is safe in TSV (no raw tab or newline)
//           and in JSON strings, and decodes back to exactly the same bytes.
//           On input the same escapes are recognised; any other backslash
//           sequence is an error.
//   raw     the bytes as they are (output of `get` to a file; arguments that
//           need no escaping). Not usable in TSV or JSON lines.
//   hex     two lowercase hex digits per byte (input: either case).
//   base64  RFC 4648 with padding (input: padding optional).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace strata_tool {

enum class Format { kText, kRaw, kHex, kBase64 };

// The names above, for --format and friends.
Format ParseFormat(std::string_view name);
const char* FormatName(Format f);

std::string Encode(std::string_view bytes, Format f);

// Decodes text in format f. On malformed input returns false and sets *error
// to what is wrong (and where).
bool Decode(std::string_view text, Format f, std::string* bytes, std::string* error);

// Decode, or a ToolError(kExitUsage) naming `what` (e.g. "key").
std::string DecodeArgument(std::string_view text, Format f, const std::string& what);

}  // namespace strata_tool
