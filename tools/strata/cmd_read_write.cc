// strata get | put | delete | scan: single keys and ordered ranges.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <cstdio>
#include <memory>
#include <optional>

#include "tools/strata/commands.h"
#include "tools/strata/records.h"

namespace strata_tool {

const char kFormatsHelp[] =
    "Keys and values are arbitrary bytes. --format chooses how they are written on the\n"
    "command line and in the output (--key-format and --value-format override it for\n"
    "one side):\n"
    "  text    printable ASCII and valid UTF-8 as is; escapes for the rest:\n"
    "          \\\\ \\t \\n \\r \\0 \\xHH (the default; round-trips any bytes)\n"
    "  raw     the bytes unchanged (e.g. `get --format raw > file`)\n"
    "  hex     two hex digits per byte\n"
    "  base64  RFC 4648 base64\n";

void AddFormatOptions(CLI::App* cmd, FormatOptions* f) {
  cmd->add_option("-f,--format", f->format, "text, raw, hex or base64 for keys and values")
      ->capture_default_str();
  cmd->add_option("--key-format", f->key_format, "format of keys (default: --format)");
  cmd->add_option("--value-format", f->value_format, "format of values (default: --format)");
}

namespace {

void Write(std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }

// One iterator step, hiding which direction the scan goes.
int Step(kv_iter* it, bool reverse, bool first, const void** k, size_t* kl, const void** v,
         size_t* vl) {
  if (reverse) return first ? kv_iter_last(it, k, kl, v, vl) : kv_iter_prev(it, k, kl, v, vl);
  return kv_iter_next(it, k, kl, v, vl);
}

void AddGet(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("get", "print the value of a key");
  auto key = std::make_shared<std::string>();
  auto formats = std::make_shared<FormatOptions>();
  cmd->add_option("KEY", *key, "the key")->required();
  AddFormatOptions(cmd, formats.get());
  SetManual(cmd, "print the value of a key",
            std::string("Looks KEY up and prints its value followed by a newline (no newline\n"
                        "with --format raw, so the bytes can be redirected to a file as they\n"
                        "are). An absent key prints nothing and exits with status 1; an empty\n"
                        "value prints an empty line and exits with 0.\n\n") +
                kFormatsHelp,
            "strata --db /tmp/db get user:42\n"
            "strata --db /tmp/db get --key-format hex --format raw 00ff10 > value.bin",
            "0 found, 1 not found, 2 usage error, 3 engine error");
  cmd->callback([&g, key, formats] {
    const std::string k = DecodeArgument(*key, formats->key(), "key");
    Database db(g, /*create=*/false, /*read_only=*/true);
    void* val = nullptr;
    size_t len = 0;
    const int rc = kv_get(db.get(), k.data(), k.size(), &val, &len);
    if (rc == KV_NOT_FOUND) {
      std::fprintf(stderr, "not found: %s\n", Encode(k, Format::kText).c_str());
      g.exit_code = kExitNo;
      return;
    }
    if (rc != KV_OK) ThrowKv("kv_get", rc);
    const std::string value(static_cast<const char*>(val), len);
    kv_free(val);
    const Format vf = formats->value();
    Write(Encode(value, vf));
    if (vf != Format::kRaw) Write("\n");
  });
}

void AddPut(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("put", "set a key to a value");
  struct Args {
    std::string key, value, value_file;
    bool sync = false;
    FormatOptions formats;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("KEY", a->key, "the key")->required();
  auto* value = cmd->add_option("VALUE", a->value, "the value");
  auto* file = cmd->add_option("--value-file", a->value_file,
                               "read the value's bytes, unchanged, from FILE ('-': stdin)");
  value->excludes(file);
  cmd->add_flag("--sync", a->sync, "fsync before returning (durable across power loss)");
  AddFormatOptions(cmd, &a->formats);
  SetManual(cmd, "set a key to a value",
            std::string("Sets KEY to VALUE, creating the database if it does not exist. The\n"
                        "value comes from the command line in the value format, or with\n"
                        "--value-file as the exact bytes of a file. The write has reached the\n"
                        "operating system when the command returns; --sync also fsyncs it.\n\n") +
                kFormatsHelp,
            "strata --db /tmp/db put user:42 'Ada Lovelace'\n"
            "strata --db /tmp/db put --format hex 00ff 'c0ffee'\n"
            "strata --db /tmp/db put photo:1 --value-file photo.jpg",
            "0 written, 2 usage error, 3 engine error, 4 unreadable value file");
  cmd->callback([&g, a, value, file] {
    if (value->count() == 0 && file->count() == 0) {
      throw ToolError(kExitUsage, "put needs a VALUE or --value-file");
    }
    const std::string k = DecodeArgument(a->key, a->formats.key(), "key");
    const std::string v = file->count() > 0 ? ReadWholeFile(a->value_file)
                                            : DecodeArgument(a->value, a->formats.value(), "value");
    Database db(g, /*create=*/true);
    const int rc = kv_put_ex(db.get(), k.data(), k.size(), v.data(), v.size(),
                             a->sync ? KV_WRITE_SYNC : 0u);
    if (rc != KV_OK) ThrowKv("kv_put", rc);
    db.Close();
  });
}

void AddDelete(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("delete", "delete keys");
  struct Args {
    std::vector<std::string> keys;
    bool sync = false;
    FormatOptions formats;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("KEY", a->keys, "keys to delete")->required();
  cmd->add_flag("--sync", a->sync, "fsync before returning");
  AddFormatOptions(cmd, &a->formats);
  SetManual(cmd, "delete keys",
            std::string("Deletes every KEY given, all in one atomic batch. Deleting an absent\n"
                        "key is not an error.\n\n") +
                kFormatsHelp,
            "strata --db /tmp/db delete user:42 user:43",
            "0 deleted, 2 usage error, 3 engine error");
  cmd->callback([&g, a] {
    kv_batch* batch = kv_batch_new();
    if (batch == nullptr) ThrowKv("kv_batch_new", KV_NO_MEMORY);
    std::unique_ptr<kv_batch, void (*)(kv_batch*)> owner(batch, kv_batch_free);
    for (const auto& text : a->keys) {
      const std::string k = DecodeArgument(text, a->formats.key(), "key");
      const int rc = kv_batch_delete(batch, k.data(), k.size());
      if (rc != KV_OK) ThrowKv("kv_batch_delete", rc);
    }
    Database db(g, /*create=*/false);
    const int rc = kv_write_ex(db.get(), batch, a->sync ? KV_WRITE_SYNC : 0u);
    if (rc != KV_OK) ThrowKv("kv_write", rc);
    db.Close();
  });
}

void AddScan(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("scan", "print keys and values in order");
  struct Args {
    std::string start, end, prefix, output = "tsv";
    uint64_t limit = 0;
    bool reverse = false, keys_only = false, count = false;
    FormatOptions formats;
  };
  auto a = std::make_shared<Args>();
  auto* start = cmd->add_option("--start", a->start, "first key (inclusive)");
  auto* end = cmd->add_option("--end", a->end, "end key (exclusive)");
  auto* prefix = cmd->add_option("--prefix", a->prefix, "only keys that begin with this");
  prefix->excludes(start)->excludes(end);
  cmd->add_option("-n,--limit", a->limit, "print at most N entries (0: all)");
  cmd->add_flag("-r,--reverse", a->reverse, "from the last key to the first");
  cmd->add_flag("-k,--keys-only", a->keys_only, "print keys only");
  cmd->add_flag("-c,--count", a->count, "print only the number of entries");
  cmd->add_option("-o,--output", a->output, "tsv (KEY<TAB>VALUE) or jsonl")->capture_default_str();
  AddFormatOptions(cmd, &a->formats);
  SetManual(cmd, "print keys and values in order",
            std::string(
                "Prints the entries with keys in [--start, --end) (both optional), or those\n"
                "beginning with --prefix, in ascending key order (descending with --reverse),\n"
                "one per line as KEY<TAB>VALUE, or as JSON lines with --output jsonl. The\n"
                "scan reads one consistent snapshot of the database.\n\n") +
                kFormatsHelp,
            "strata --db /tmp/db scan --prefix user: --limit 10\n"
            "strata --db /tmp/db scan --start a --end b --keys-only --reverse\n"
            "strata --db /tmp/db scan --format hex --output jsonl",
            "0 done (also when nothing matched), 2 usage error, 3 engine error");
  cmd->callback([&g, a, start, end, prefix] {
    const Format kf = a->formats.key(), vf = a->formats.value();
    std::optional<RecordCodec> codec;
    const RecordFormat output = ParseRecordFormat(a->output);
    if (!a->keys_only && !a->count) codec.emplace(output, kf, vf);
    if (a->keys_only && output == RecordFormat::kJsonLines && kf == Format::kRaw) {
      throw ToolError(kExitUsage, "raw format cannot be used in JSON lines");
    }
    std::string lo, hi, pre;
    if (start->count() > 0) lo = DecodeArgument(a->start, kf, "--start");
    if (end->count() > 0) hi = DecodeArgument(a->end, kf, "--end");
    if (prefix->count() > 0) pre = DecodeArgument(a->prefix, kf, "--prefix");

    Database db(g, /*create=*/false, /*read_only=*/true);
    kv_iter* it = nullptr;
    int rc;
    if (prefix->count() > 0) {
      rc = kv_iter_new_prefix(db.get(), nullptr, pre.data(), pre.size(), &it);
    } else {
      // A given bound of length 0 is the empty key, a real bound: pass a
      // non-NULL pointer for it.
      rc = kv_iter_new(db.get(), start->count() > 0 ? lo.c_str() : nullptr, lo.size(),
                       end->count() > 0 ? hi.c_str() : nullptr, hi.size(), &it);
    }
    if (rc != KV_OK) ThrowKv("kv_iter_new", rc);
    std::unique_ptr<kv_iter, void (*)(kv_iter*)> owner(it, kv_iter_free);
    uint64_t n = 0;
    const void *k, *v;
    size_t kl, vl;
    while (a->limit == 0 || n < a->limit) {
      rc = Step(it, a->reverse, n == 0, &k, &kl, &v, &vl);
      if (rc != KV_OK) break;
      ++n;
      if (a->count) continue;
      const std::string_view key(static_cast<const char*>(k), kl);
      if (a->keys_only && output == RecordFormat::kJsonLines) {
        nlohmann::json j;
        j["key"] = Encode(key, kf);
        Write(j.dump());
      } else if (a->keys_only) {
        Write(Encode(key, kf));
      } else {
        Write(codec->Format(key, std::string_view(static_cast<const char*>(v), vl)));
      }
      Write("\n");
    }
    if (rc != KV_OK && rc != KV_END) ThrowKv("kv_iter_next", rc);
    if (a->count) std::printf("%llu\n", static_cast<unsigned long long>(n));
  });
}

}  // namespace

void AddReadWriteCommands(CLI::App& app, GlobalOptions& g) {
  AddGet(app, g);
  AddPut(app, g);
  AddDelete(app, g);
  AddScan(app, g);
}

}  // namespace strata_tool
