// The dashboard served by the real binary (commands.md §7): a link from `/itpm dashboard`
// opens the pages with no-store and a strict CSP, anything else is a 403 without the data,
// visits are counted, a rotated key ends every earlier link; and Debian's headless chromium
// renders each page (screenshots and the DOM), with the screenshots kept under
// build/…/artifacts/dashboard/.
#include "tests/support/bot_run.hpp"
#include "tests/support/command_fixture.hpp"
#include "tests/support/http_get.hpp"
#include "tests/support/png_compare.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

using namespace std::chrono_literals;
using itpm::test::BotRun;
using itpm::test::contains;
using itpm::test::http_get;

namespace {

void seed(BotRun& bot) {
  REQUIRE(contains(bot.command(R"(program add dr-2027 "Disaster Recovery 2027" --due +8w)"),
                   "dr-2027"));
  bot.command(R"(program add ci-speed "CI speed")");
  bot.command(R"(risk add "Primary DB failover untested" --program dr-2027 -l 4 -i 5)");
  bot.command(R"(status dr-2027 amber "drill slipped")");
  bot.command(R"(milestone add dr-2027 "Failover drill" --due +2w)");
  bot.command(R"(milestone slip M-1 --due +4w --reason "vendor")");
  bot.command(R"(decision add "Use region pairs" --program dr-2027)");
}

// The link in `/itpm dashboard`'s answer, as its path ("/dashboard/<token>/…").
std::string link_path(BotRun& bot, const std::string& command = "dashboard") {
  std::string answer = bot.command(command);
  INFO(answer);
  auto at = answer.find("/dashboard/");
  REQUIRE(at != std::string::npos);
  REQUIRE(contains(answer, fmt::format("http://127.0.0.1:{}/dashboard/", bot.http_port())));
  return answer.substr(at, answer.find_first_of("> \n", at) - at);
}

std::string forged(std::string path) {
  auto dot = path.find('.');
  path[dot + 1] = path[dot + 1] == 'A' ? 'B' : 'A';
  return path;
}

}  // namespace

TEST_CASE("the bot serves the dashboard to a link only, never cached, under a strict CSP",
          "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  seed(bot);
  std::string path = link_path(bot);
  auto port = bot.http_port();
  auto page = http_get(port, path);
  INFO(page.body);
  REQUIRE(page.status == 200);
  CHECK(page.headers["content-type"] == "text/html; charset=utf-8");
  CHECK(page.headers["cache-control"] == "no-store");
  CHECK(
      page.headers["content-security-policy"].starts_with("default-src 'none'; style-src "
                                                          "'sha256-"));
  CHECK(page.headers["x-frame-options"] == "DENY");
  CHECK(page.headers["referrer-policy"] == "no-referrer");
  CHECK(contains(page.body, "Disaster Recovery 2027"));
  for (const char* sub : {"heatmap", "kpi", "program/dr-2027", "heatmap/dr-2027"})
    CHECK(http_get(port, path + sub).status == 200);
  // HEAD: the same headers and no body.
  auto head = http_get(port, path, true);
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.headers["content-length"] == std::to_string(page.body.size()));
  // A forged link, a guessed one, none: 403 and none of the data.
  for (const std::string& bad :
       {forged(path), std::string("/dashboard/guess/"), std::string("/dashboard/")}) {
    auto refused = http_get(port, bad);
    CHECK(refused.status == 403);
    CHECK_FALSE(contains(refused.body, "dr-2027"));
    CHECK_FALSE(contains(refused.body, "Disaster"));
    CHECK(refused.headers["cache-control"] == "no-store");
  }
  auto metrics = http_get(port, "/metrics").body;
  CHECK(contains(metrics, R"(itpm_dashboard_requests_total{page="portfolio",result="ok"} 2)"));
  CHECK(contains(metrics, R"(itpm_dashboard_requests_total{page="kpi",result="ok"} 1)"));
  CHECK(
      contains(metrics, R"(itpm_dashboard_requests_total{page="portfolio",result="forbidden"} 2)"));
  CHECK(contains(metrics, R"(itpm_dashboard_requests_total{page="other",result="forbidden"} 1)"));
}

TEST_CASE("rotate-dashboard-key ends every earlier link", "[integration]") {
  auto sim = itpm::test::make_sim();
  itpm::test::TempDir dir;
  auto data = dir.path() / "db";
  std::string old_path;
  {
    BotRun bot(*sim, {}, {}, data);
    REQUIRE(bot.wait_hellos(1));
    seed(bot);
    old_path = link_path(bot);
    REQUIRE(http_get(bot.http_port(), old_path).status == 200);
    REQUIRE(bot.terminate() == std::optional<int>(0));
  }
  itpm::process::ChildOptions rotate;
  rotate.argv = {ITPM_BOT_PATH, "rotate-dashboard-key", "--data-dir", data.string()};
  itpm::process::ChildProcess child(rotate);
  REQUIRE(child.wait_exit(30s) == std::optional<int>(0));
  CHECK(contains(child.output(), "every link given before no longer opens"));
  BotRun again(*sim, {}, {}, data);
  REQUIRE(again.wait_hellos(2));
  auto refused = http_get(again.http_port(), old_path);
  CHECK(refused.status == 403);
  CHECK_FALSE(contains(refused.body, "dr-2027"));
  CHECK(http_get(again.http_port(), link_path(again)).status == 200);
}

namespace {

const std::filesystem::path artifacts = std::filesystem::path(ITPM_ARTIFACTS_DIR) / "dashboard";

// Debian's chromium, headless, with a profile of its own (tests run in parallel).
itpm::process::ChildProcess chromium(const std::filesystem::path& profile,
                                     std::vector<std::string> args) {
  itpm::process::ChildOptions options;
  options.argv = {"/usr/bin/chromium",      "--headless=new",
                  "--no-sandbox",           "--disable-gpu",
                  "--hide-scrollbars",      "--no-first-run",
                  "--disable-extensions",   "--user-data-dir=" + profile.string(),
                  "--window-size=1280,1000"};
  for (auto& a : args) options.argv.push_back(std::move(a));
  return itpm::process::ChildProcess(options);
}

// A screenshot with more than a page's background in it: many colours, not all white.
void check_not_blank(const std::filesystem::path& png_file) {
  std::ifstream in(png_file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto image = itpm::test::decode_png(bytes);
  REQUIRE(image);
  std::set<std::uint32_t> colours;
  std::size_t white = 0;
  std::size_t seen = 0;
  for (int y = 0; y < image->height; y += 4) {
    for (int x = 0; x < image->width; x += 4) {
      auto c = image->rgb(x, y);
      colours.insert(c);
      white += c == 0xFFFFFFU ? 1 : 0;
      ++seen;
    }
  }
  INFO(png_file);
  CHECK(colours.size() > 8);
  CHECK(white < seen * 98 / 100);
}

}  // namespace

TEST_CASE("headless chromium renders every dashboard page and the charts", "[integration]") {
  auto sim = itpm::test::make_sim();
  BotRun bot(*sim);
  REQUIRE(bot.wait_hellos(1));
  seed(bot);
  std::string base = fmt::format("http://127.0.0.1:{}", bot.http_port());
  std::string path = link_path(bot);
  std::filesystem::create_directories(artifacts);
  itpm::test::TempDir profile;
  struct Shown {
    std::string name;
    std::string page;
    std::string text;  // in the DOM the browser built
  };
  for (const auto& [name, page, text] :
       std::vector<Shown>{{"portfolio", "", "Disaster Recovery 2027"},
                          {"heatmap", "heatmap", "Risk heat map · all programs"},
                          {"kpi", "kpi", "Corrective-action SLO"},
                          {"program", "program/dr-2027", "Failover drill"},
                          {"program-heatmap", "heatmap/dr-2027", "Primary DB failover untested"}}) {
    auto shot = artifacts / (name + ".png");
    std::filesystem::remove(shot);
    auto run = chromium(profile.path(), {"--screenshot=" + shot.string(), base + path + page});
    REQUIRE(run.wait_exit(90s) == std::optional<int>(0));
    check_not_blank(shot);
    // The DOM as the browser built it: the page's data is there.
    auto dom = chromium(profile.path(), {"--dump-dom", base + path + page});
    REQUIRE(dom.wait_exit(90s) == std::optional<int>(0));
    INFO(name);
    CHECK(contains(dom.output(), text));
    CHECK(contains(dom.output(), "<svg") == (name != "portfolio"));
  }
  // A forged link renders as the refusal, without the data.
  auto refused = chromium(profile.path(), {"--dump-dom", base + forged(path)});
  REQUIRE(refused.wait_exit(90s) == std::optional<int>(0));
  CHECK(contains(refused.output(), "Link not valid"));
  CHECK_FALSE(contains(refused.output(), "dr-2027"));

  // The PNG charts the bot uploads to Slack, as a browser shows them.
  bot.command("risk heatmap --image");
  bot.command("kpi --trend --image");
  REQUIRE(sim->wait_for([](const itpm::sim::Snapshot& s) { return s.files.size() >= 2; }, 15s));
  for (const auto& file : sim->snapshot().files) {
    std::string stem = file.name.substr(0, file.name.find("-k"));
    auto png = artifacts / ("chart-" + stem + ".png");
    std::ofstream(png, std::ios::binary) << file.bytes;
    auto shot = artifacts / ("chart-" + stem + "-in-chromium.png");
    auto run =
        chromium(profile.path(), {"--screenshot=" + shot.string(), "file://" + png.string()});
    REQUIRE(run.wait_exit(90s) == std::optional<int>(0));
    check_not_blank(shot);
  }
}
