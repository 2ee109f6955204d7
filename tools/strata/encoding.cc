#include "tools/strata/encoding.h"

#include "tools/strata/tool.h"

namespace strata_tool {

namespace {

const char kHexDigits[] = "0123456789abcdef";
const char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// The length of the well-formed UTF-8 sequence of two or more bytes at the
// start of s (no overlong forms, no surrogates, at most U+10FFFF), or 0.
size_t Utf8SequenceLength(std::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto continuation = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return continuation(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

std::string EscapeText(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (size_t n = Utf8SequenceLength(bytes.substr(i)); n > 0) {
        out.append(bytes.substr(i, n));
        i += n;
        continue;
      }
    }
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\0': out += "\\0"; break;
      default:
        out += "\\x";
        out += kHexDigits[c >> 4];
        out += kHexDigits[c & 15];
    }
    ++i;
  }
  return out;
}

bool UnescapeText(std::string_view text, std::string* out, std::string* error) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      *out += text[i];
      continue;
    }
    if (i + 1 >= text.size()) {
      *error = "a lone backslash at the end (write \\\\ for a backslash)";
      return false;
    }
    const char e = text[++i];
    switch (e) {
      case '\\': *out += '\\'; break;
      case 't': *out += '\t'; break;
      case 'n': *out += '\n'; break;
      case 'r': *out += '\r'; break;
      case '0': *out += '\0'; break;
      case 'x': {
        const int hi = i + 1 < text.size() ? HexValue(text[i + 1]) : -1;
        const int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
          *error = "\\x at offset " + std::to_string(i - 1) + " needs two hex digits";
          return false;
        }
        *out += static_cast<char>(hi << 4 | lo);
        i += 2;
        break;
      }
      default:
        *error = std::string("unknown escape \\") + e + " at offset " + std::to_string(i - 1) +
                 " (known: \\\\ \\t \\n \\r \\0 \\xHH)";
        return false;
    }
  }
  return true;
}

std::string EncodeHex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHexDigits[c >> 4];
    out += kHexDigits[c & 15];
  }
  return out;
}

bool DecodeHex(std::string_view text, std::string* out, std::string* error) {
  if (text.size() % 2 != 0) {
    *error = "odd number of hex digits";
    return false;
  }
  out->clear();
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = HexValue(text[i]), lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) {
      *error = "not a hex digit at offset " + std::to_string(hi < 0 ? i : i + 1);
      return false;
    }
    *out += static_cast<char>(hi << 4 | lo);
  }
  return true;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kBase64Alphabet[v >> 18];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += kBase64Alphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kBase64Alphabet[v >> 18];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += rest == 2 ? kBase64Alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool DecodeBase64(std::string_view text, std::string* out, std::string* error) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) {
    *error = "base64 text has an impossible length";
    return false;
  }
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int v = Base64Value(text[i]);
    if (v < 0) {
      *error = "not a base64 character at offset " + std::to_string(i);
      return false;
    }
    acc = acc << 6 | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits must be zero in canonical base64; anything else is a typo.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    *error = "base64 text has stray bits at its end";
    return false;
  }
  return true;
}

}  // namespace

Format ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "raw") return Format::kRaw;
  if (name == "hex") return Format::kHex;
  if (name == "base64") return Format::kBase64;
  throw ToolError(kExitUsage,
                  "unknown format '" + std::string(name) + "' (text, raw, hex or base64)");
}

const char* FormatName(Format f) {
  switch (f) {
    case Format::kText: return "text";
    case Format::kRaw: return "raw";
    case Format::kHex: return "hex";
    case Format::kBase64: return "base64";
  }
  return "?";
}

std::string Encode(std::string_view bytes, Format f) {
  switch (f) {
    case Format::kText: return EscapeText(bytes);
    case Format::kRaw: return std::string(bytes);
    case Format::kHex: return EncodeHex(bytes);
    case Format::kBase64: return EncodeBase64(bytes);
  }
  return std::string(bytes);
}

bool Decode(std::string_view text, Format f, std::string* bytes, std::string* error) {
  switch (f) {
    case Format::kText: return UnescapeText(text, bytes, error);
    case Format::kRaw: bytes->assign(text); return true;
    case Format::kHex: return DecodeHex(text, bytes, error);
    case Format::kBase64: return DecodeBase64(text, bytes, error);
  }
  return false;
}

std::string DecodeArgument(std::string_view text, Format f, const std::string& what) {
  std::string bytes, error;
  if (!Decode(text, f, &bytes, &error)) {
    throw ToolError(kExitUsage, "bad " + what + " in " + FormatName(f) + " format: " + error);
  }
  return bytes;
}

}  // namespace strata_tool
