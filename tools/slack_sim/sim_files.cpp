// The simulator's file uploads, as Slack documents them: files.getUploadURLExternal hands out
// a URL (here, on the simulator) and a file ID; the bytes are POSTed there without a token;
// files.completeUploadExternal shares the file into a conversation, where it shows as a message
// with `files` (kept for conversations.history). Scope files:write.
#include "tools/slack_sim/sim_core.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

namespace itpm::sim {
namespace {

using nlohmann::json;

std::size_t chars(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0U) != 0x80U ? 1 : 0;
  return n;
}

// A number that came as JSON or as form text; -1 when it is neither.
long long whole_number(const json& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end()) return -1;
  if (it->is_number_integer()) return it->get<long long>();
  if (!it->is_string()) return -1;
  try {
    std::size_t used = 0;
    long long n = std::stoll(it->get<std::string>(), &used);
    return used == it->get<std::string>().size() ? n : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

std::string SlackSim::Core::save(const UploadedFile& file) const {
  if (options.files_dir.empty()) return "";
  std::error_code ec;
  std::filesystem::create_directories(options.files_dir, ec);
  // The ID keeps names apart; the name is the bot's own ("risk-heatmap-k….png").
  auto path = std::filesystem::path(options.files_dir) / (file.id + "-" + file.name);
  std::ofstream out(path, std::ios::binary);
  out << file.bytes;
  return out ? path.string() : "";
}

std::optional<HttpAnswer> SlackSim::Core::files_api(
    const std::string& method, const json& args, const std::function<HttpAnswer(json)>& ok,
    const std::function<std::optional<HttpAnswer>(const std::string&)>& missing) {
  if (method == "files.getUploadURLExternal") {
    if (auto refused = missing("files:write")) return *refused;
    std::string filename = args.value("filename", "");
    long long length = whole_number(args, "length");
    if (filename.empty()) return slack_error("invalid_arguments");
    if (length <= 0) return slack_error("missing_argument");
    // Slack's limit for a file is 1 GB; alt text at most 1,000 characters.
    if (length > (1LL << 30)) return slack_error("file_upload_size_restricted");
    std::string alt = args.value("alt_txt", "");
    if (chars(alt) > 1000) return slack_error("alt_txt_too_large");
    UploadedFile file;
    file.id = "F" + new_id().substr(0, 10);
    file.name = filename;
    file.alt_text = alt;
    file.length = static_cast<std::size_t>(length);
    std::string url = base_url() + "/upload/v1/" + file.id;
    std::string id = file.id;
    uploads[id] = std::move(file);
    return ok({{"upload_url", url}, {"file_id", id}});
  }
  if (method == "files.completeUploadExternal") {
    if (auto refused = missing("files:write")) return *refused;
    // `files` is a JSON array, sent as a string in a form.
    json files = args.value("files", json());
    if (files.is_string()) files = json::parse(files.get<std::string>(), nullptr, false);
    if (!files.is_array() || files.empty()) return slack_error("invalid_arguments");
    std::string channel = args.value("channel_id", "");
    if (!channel.empty()) {
      auto it = channels.find(channel);
      ChannelSetup setup = it == channels.end() ? ChannelSetup{} : it->second;
      bool conversation =
          channel.size() > 1 && (channel[0] == 'C' || channel[0] == 'G' || channel[0] == 'D');
      if (!conversation || setup.deleted || (setup.is_private && !setup.bot_member))
        return slack_error("channel_not_found");
      if (setup.archived) return slack_error("is_archived");
      // Files are shared only where the bot is a member (chat:write.public does not reach here).
      if (channel[0] != 'D' && !setup.bot_member) return slack_error("not_in_channel");
    }
    json shared = json::array();
    for (const auto& f : files) {
      std::string id = f.is_object() ? f.value("id", "") : "";
      auto upload = uploads.find(id);
      // Not handed out, or its bytes never arrived.
      if (upload == uploads.end() || upload->second.bytes.size() != upload->second.length ||
          !upload->second.channel.empty())
        return slack_error("file_not_found");
    }
    std::string comment = args.value("initial_comment", "");
    std::string ts = next_ts();
    json message = {{"type", "message"},
                    {"bot_id", "B0BOT0001"},
                    {"text", comment},
                    {"ts", ts},
                    {"files", json::array()}};
    if (args.contains("thread_ts")) message["thread_ts"] = args.value("thread_ts", "");
    for (const auto& f : files) {
      UploadedFile& file = uploads[f.value("id", "")];
      file.title = f.value("title", file.name);
      file.channel = channel.empty() ? "private" : channel;
      file.thread_ts = args.value("thread_ts", "");
      file.initial_comment = comment;
      message["files"].push_back({{"id", file.id},
                                  {"name", file.name},
                                  {"title", file.title},
                                  {"mimetype", "image/png"},
                                  {"alt_txt", file.alt_text}});
      shared.push_back({{"id", file.id}, {"title", file.title}});
      state.update([&](Snapshot& s) { s.files.push_back(file); });
      std::string saved = save(file);
      output(fmt::format("itpm in {}> 🖼️ {} ({} bytes{}): {}",
                         channel.empty()     ? "(not shared)"
                         : channel[0] == 'D' ? "DM to @" + user_name("U" + channel.substr(1))
                                             : "#" + channel_name(channel),
                         file.title, file.bytes.size(), saved.empty() ? "" : ", saved as " + saved,
                         file.alt_text));
    }
    if (!channel.empty()) history[channel].push_back(std::move(message));
    return ok({{"files", shared}});
  }
  return std::nullopt;
}

HttpAnswer SlackSim::Core::upload_bytes(const HttpIn& in, const std::string& path) {
  std::string id = path.substr(std::string("/upload/v1/").size());
  HttpAnswer a;
  a.content_type = "text/plain";
  auto upload = uploads.find(id);
  ApiCall call{
      "file_upload", {{"file_id", id}, {"bytes", in.body.size()}}, in.content_type, 200, "",
      Clock::now()};
  if (in.method != "POST" || upload == uploads.end()) {
    a.status = 404;
    a.body = "not found";
  } else if (in.body.size() != upload->second.length) {
    // The bytes must be what getUploadURLExternal was told.
    a.status = 400;
    a.body = "length mismatch";
  } else {
    upload->second.bytes = in.body;
    a.body = fmt::format("OK - {}", in.body.size());
  }
  call.status = a.status;
  state.update([&](Snapshot& s) { s.calls.push_back(call); });
  return a;
}

}  // namespace itpm::sim
