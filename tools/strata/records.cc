#include "tools/strata/records.h"

#include <nlohmann/json.hpp>

#include "tools/strata/tool.h"

namespace strata_tool {

RecordFormat ParseRecordFormat(std::string_view name) {
  if (name == "tsv") return RecordFormat::kTsv;
  if (name == "jsonl" || name == "json") return RecordFormat::kJsonLines;
  throw ToolError(kExitUsage, "unknown record format '" + std::string(name) + "' (tsv or jsonl)");
}

RecordCodec::RecordCodec(RecordFormat format, strata_tool::Format key_format,
                         strata_tool::Format value_format)
    : format_(format), key_format_(key_format), value_format_(value_format) {
  if (key_format == Format::kRaw || value_format == Format::kRaw) {
    throw ToolError(kExitUsage,
                    "raw format cannot be used in TSV or JSON lines (use text, hex or base64)");
  }
}

std::string RecordCodec::Format(std::string_view key, std::string_view value) const {
  if (format_ == RecordFormat::kTsv) {
    return Encode(key, key_format_) + "\t" + Encode(value, value_format_);
  }
  nlohmann::json j;
  j["key"] = Encode(key, key_format_);
  j["value"] = Encode(value, value_format_);
  return j.dump();
}

bool RecordCodec::Parse(std::string_view line, std::string* key, std::string* value,
                        std::string* error) const {
  std::string_view key_text, value_text;
  std::string key_holder, value_holder;
  if (format_ == RecordFormat::kTsv) {
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      *error = "expected KEY<TAB>VALUE, found no tab";
      return false;
    }
    if (line.find('\t', tab + 1) != std::string_view::npos) {
      *error = "expected KEY<TAB>VALUE, found more than one tab (escape tabs as \\t)";
      return false;
    }
    key_text = line.substr(0, tab);
    value_text = line.substr(tab + 1);
  } else {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      *error = "not a JSON object";
      return false;
    }
    if (!j.is_object() || !j.contains("key") || !j.contains("value") || !j["key"].is_string() ||
        !j["value"].is_string()) {
      *error = R"(expected {"key": "...", "value": "..."} with string fields)";
      return false;
    }
    key_holder = j["key"].get<std::string>();
    value_holder = j["value"].get<std::string>();
    key_text = key_holder;
    value_text = value_holder;
  }
  std::string why;
  if (!Decode(key_text, key_format_, key, &why)) {
    *error = "key: " + why;
    return false;
  }
  if (!Decode(value_text, value_format_, value, &why)) {
    *error = "value: " + why;
    return false;
  }
  return true;
}

}  // namespace strata_tool
