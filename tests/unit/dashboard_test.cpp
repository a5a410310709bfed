// The dashboard (commands.md §7) without sockets: links signed and checked, routes, every page
// against a real store, and the 403 that shows none of the data. The served pages, their
// headers and a real browser are covered by dashboard_e2e_test.cpp.
#include "commands/dashboard/html.hpp"
#include "commands/dashboard/link.hpp"
#include "commands/dashboard/pages.hpp"
#include "tests/support/command_fixture.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

using namespace itpm::commands;
using namespace itpm::commands::dashboard;
using itpm::test::contains;

namespace {

const std::string key = "0123456789abcdef0123456789abcdef";

std::int64_t seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

struct DashboardFixture : itpm::test::CommandFixture {
  DashboardFixture() {
    itpm::storage::Batch batch;
    repos.set_dashboard_key(batch, key);
    REQUIRE(store->commit(std::move(batch)));
    base.dashboard_url = "https://itpm.example.com";
    run(R"(program add dr-2027 "Disaster Recovery 2027")");
    run(R"(program add ci-speed "CI &lt;speed&gt; &amp; 'cache'")", "UERIN");
    run(R"(risk add "Failover untested" -p dr-2027 -l 4 -i 5)");
    run(R"(risk add "Runbook stale" -p dr-2027 -l 2 -i 2)");
    run(R"(status dr-2027 red "vendor gone")");
    run(R"(milestone add dr-2027 "Drill" --due 2026-12-04)");
    run(R"(milestone slip M-1 --due 2026-12-18 --reason "vendor")");
    run(R"(decision add "Use region pairs" --program dr-2027)");
  }
  std::string link(const std::string& scope = "*", const std::string& user = "UALICE") {
    return sign({user, scope, seconds(now) + 3600}, key);
  }
  Page get(const std::string& target) {
    Context ctx = make_context(repos, Settings{base, {"UADMIN"}}, now, zone);
    return serve(target, key, ctx);
  }
};

// Nothing of the seeded data: keys, names, titles, owners.
void shows_no_data(const Page& page) {
  INFO(page.html);
  for (const char* part :
       {"dr-2027", "ci-speed", "Disaster", "Failover", "Drill", "UALICE", "region pairs"})
    CHECK_FALSE(contains(page.html, part));
}

}  // namespace

TEST_CASE("a dashboard link is signed, checked in constant time and expires") {
  Grant grant{"U0DEMO1", "*", 1'800'000'000};
  std::string token = sign(grant, key);
  auto ok = check(token, key, 1'799'999'999);
  REQUIRE(ok.problem == LinkProblem::none);
  CHECK(*ok.grant == grant);
  // Expired: said so, with when.
  auto late = check(token, key, 1'800'000'000);
  CHECK(late.problem == LinkProblem::expired);
  CHECK(late.expired_at == 1'800'000'000);
  CHECK_FALSE(late.grant);
  // Another key, another person, another scope, a later expiry: forged.
  CHECK(check(token, "another key", 0).problem == LinkProblem::forged);
  auto dot = token.find('.');
  for (const Grant& changed :
       {Grant{"U0EVIL", "*", 1'800'000'000}, Grant{"U0DEMO1", "dr-2027", 1'800'000'000},
        Grant{"U0DEMO1", "*", 1'900'000'000}}) {
    std::string payload = fmt::format("1|{}|{}|{}", changed.user, changed.scope, changed.expires);
    CHECK(check(base64url(payload) + token.substr(dot), key, 0).problem == LinkProblem::forged);
  }
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  CHECK(check(flipped, key, 0).problem == LinkProblem::forged);
  // Not a link at all.
  for (const std::string& junk : {std::string(), std::string("abc"), std::string("a.b.c"),
                                  std::string("!!.??"), std::string(600, 'A') + ".AAAA"})
    CHECK(check(junk, key, 0).problem == LinkProblem::malformed);
  // A signed payload that is not a grant.
  std::string bad = "2|U1|*|5";
  CHECK(check(base64url(bad) + "." + sign({"x", "*", 0}, key).substr(dot), key, 0).problem !=
        LinkProblem::none);
  CHECK(check(token, "", 0).problem == LinkProblem::malformed);
}

TEST_CASE("base64url round-trips every length and refuses what it did not write") {
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    auto back = from_base64url(base64url(bytes));
    REQUIRE(back);
    CHECK(*back == bytes);
    bytes += static_cast<char>(n * 37);
  }
  CHECK(base64url("\xfb\xff") == "-_8");
  CHECK_FALSE(from_base64url("a"));     // 6 bits: no byte
  CHECK_FALSE(from_base64url("-_9"));   // padding bits set
  CHECK_FALSE(from_base64url("ab=c"));  // not in the alphabet
}

TEST_CASE("dashboard routes are plain paths with the link first") {
  CHECK(route("/metrics") == Route{});
  CHECK(route("/dashboard/T/") == Route{true, "T", PageKind::portfolio, "", 1, "./"});
  CHECK(route("/dashboard/T/?page=3") == Route{true, "T", PageKind::portfolio, "", 3, "./"});
  CHECK(route("/dashboard/T/?page=x").page == 1);
  CHECK(route("/dashboard/T/?page=0").page == 1);
  CHECK(route("/dashboard/T/heatmap") == Route{true, "T", PageKind::heatmap, "", 1, "./"});
  CHECK(route("/dashboard/T/heatmap/dr-2027") ==
        Route{true, "T", PageKind::program_heatmap, "dr-2027", 1, "../"});
  CHECK(route("/dashboard/T/kpi/") == Route{true, "T", PageKind::kpi, "", 1, "./"});
  CHECK(route("/dashboard/T/program/dr-2027") ==
        Route{true, "T", PageKind::program, "dr-2027", 1, "../"});
  CHECK(route("/dashboard/T/program/DR_2027").kind == PageKind::unknown);
  CHECK(route("/dashboard/T/program/../etc").kind == PageKind::unknown);
  CHECK(route("/dashboard/T").kind == PageKind::unknown);
  CHECK(route("/dashboard/T/admin").kind == PageKind::unknown);
}

TEST_CASE("without a valid link the dashboard answers 403 and shows none of the data") {
  DashboardFixture f;
  std::string good = f.link();
  auto expired = sign({"UALICE", "*", seconds(f.now) - 1}, key);
  for (const std::string& target :
       {std::string("/dashboard/"), std::string("/dashboard/x/"),
        "/dashboard/" + good.substr(0, good.size() - 2) + "/",
        "/dashboard/" + sign({"UALICE", "*", seconds(f.now) + 60}, "stolen key") + "/",
        "/dashboard/" + expired + "/", "/dashboard/" + expired + "/program/dr-2027",
        std::string("/dashboard/nope/program/dr-2027"),
        std::string("/dashboard/nope/heatmap/no-such-program")}) {
    Page page = f.get(target);
    INFO(target);
    CHECK(page.status == 403);
    shows_no_data(page);
    CHECK(contains(page.html, "/itpm dashboard"));
  }
  CHECK(contains(f.get("/dashboard/" + expired + "/").html,
                 "This dashboard link expired Fri 2026-11-27 11:59 UTC."));
  CHECK(f.get("/other").status == 404);
}

TEST_CASE("the portfolio lists programs red first with status, owner, review and criticals") {
  DashboardFixture f;
  f.run(R"(review schedule dr-2027 --every "tue 15:00")");
  Page page = f.get("/dashboard/" + f.link() + "/");
  INFO(page.html);
  REQUIRE(page.status == 200);
  CHECK(page.label == "portfolio");
  CHECK(contains(page.html, "<title>Portfolio · itpm</title>"));
  CHECK(contains(page.html,
                 "<a href=\"./program/dr-2027\">dr-2027</a></th><td>Disaster Recovery 2027</td>"
                 "<td><span class=\"dot red\" aria-hidden=\"true\"></span>red</td><td>UALICE</td>"
                 "<td>Tue 2026-12-01 15:00 UTC</td><td class=\"n\"><a href=\"./heatmap/dr-2027\">1"
                 "</a></td>"));
  // Red before the rest; names escaped.
  CHECK(page.html.find("dr-2027") < page.html.find("ci-speed"));
  CHECK(contains(page.html, "CI &lt;speed&gt; &amp; &#39;cache&#39;"));
  CHECK_FALSE(contains(page.html, "<speed>"));
  CHECK(contains(page.html, "<strong>1</strong> open critical risks"));
  CHECK(contains(page.html, "This link is for UALICE and expires Fri 2026-11-27 13:00 UTC"));
  // No script, nothing loaded from anywhere.
  CHECK_FALSE(contains(page.html, "<script"));
  CHECK_FALSE(contains(page.html, "src="));
}

TEST_CASE("the portfolio pages through many programs") {
  DashboardFixture f;
  for (int i = 1; i <= 55; ++i) f.run(fmt::format(R"(program add p-{:02} "Program {}")", i, i));
  Page first = f.get("/dashboard/" + f.link() + "/");
  CHECK(contains(first.html, "Programs 1–50 of 57"));
  CHECK(contains(first.html, "<a href=\"?page=2\">Next</a>"));
  Page second = f.get("/dashboard/" + f.link() + "/?page=2");
  CHECK(contains(second.html, "Programs 51–57 of 57"));
  CHECK(contains(second.html, "p-55"));
  CHECK(contains(second.html, "<a href=\"?page=1\">Previous</a>"));
  // Past the end: the last page.
  CHECK(contains(f.get("/dashboard/" + f.link() + "/?page=99").html, "Programs 51–57 of 57"));
}

TEST_CASE("heat map, KPI and timeline pages draw inline SVG with titles and tables") {
  DashboardFixture f;
  std::string root = "/dashboard/" + f.link() + "/";
  Page whole = f.get(root + "heatmap");
  REQUIRE(whole.status == 200);
  CHECK(contains(whole.html, "<svg role=\"img\" aria-labelledby=\"hmt hmd\""));
  CHECK(contains(whole.html, "<title id=\"hmt\">Risk heat map · all programs</title>"));
  CHECK(contains(whole.html, "2 open risks (1 critical, 0 high, 0 medium, 1 low)"));
  Page one = f.get(root + "heatmap/dr-2027");
  REQUIRE(one.status == 200);
  CHECK(contains(one.html, "<th scope=\"row\">R-1</th><td>Failover untested</td>"));
  CHECK(contains(one.html, "href=\"../program/dr-2027\""));
  CHECK(contains(f.get(root + "heatmap/ci-speed").html, "No open risks in ci-speed"));

  Page kpi = f.get(root + "kpi");
  REQUIRE(kpi.status == 200);
  CHECK(contains(kpi.html, "<title id=\"trt\">KPI trends · 2026Q1 → 2026Q4</title>"));
  CHECK(contains(kpi.html, "<th scope=\"row\">Escalations raised / resolved</th>"));

  Page timeline = f.get(root + "program/dr-2027");
  INFO(timeline.html);
  REQUIRE(timeline.status == 200);
  CHECK(contains(timeline.html,
                 "Timeline of dr-2027: 1 milestones (1 slipped), 1 decisions, 1 "
                 "status changes"));
  CHECK(contains(timeline.html,
                 "<th scope=\"row\">M-1</th><td>Drill</td><td>Fri 2026-12-04</td>"
                 "<td>Fri 2026-12-18</td><td>+14d (1 slip)</td><td>open</td>"));
  CHECK(contains(timeline.html, "<th scope=\"row\">D-1</th>"));
  CHECK(contains(timeline.html, "vendor gone"));
  // A long title of multi-byte characters is cut on a character: the page stays UTF-8.
  INFO(f.run(R"(milestone add dr-2027 "Übergang ✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓" --due 2026-12-10)")
           .reply.text);
  Page cut = f.get(root + "program/dr-2027");
  CHECK(contains(cut.html, ">M-2 Übergang ✓✓✓✓✓✓✓✓✓✓✓✓✓✓…</text>"));  // 23 characters
  CHECK_NOTHROW(nlohmann::json(cut.html).dump());
  CHECK(f.get(root + "program/no-such").status == 404);
  CHECK(f.get(root + "admin").status == 404);
}

TEST_CASE("a link for one program opens that program's pages only") {
  DashboardFixture f;
  std::string root = "/dashboard/" + f.link("dr-2027") + "/";
  CHECK(f.get(root + "program/dr-2027").status == 200);
  CHECK(f.get(root + "heatmap/dr-2027").status == 200);
  // Another program, one that does not exist, and the whole-workspace pages: the same 403.
  for (const char* page : {"program/ci-speed", "program/no-such", "", "heatmap", "kpi"}) {
    Page refused = f.get(root + page);
    INFO(page);
    CHECK(refused.status == 403);
    CHECK_FALSE(contains(refused.html, "ci-speed"));
    CHECK_FALSE(contains(refused.html, "Failover"));
  }
}

TEST_CASE("every page's stylesheet is the one its Content-Security-Policy allows") {
  DashboardFixture f;
  Page page = f.get("/dashboard/" + f.link() + "/kpi");
  auto open = page.html.find("<style>");
  auto close = page.html.find("</style>");
  REQUIRE(open != std::string::npos);
  std::string css = page.html.substr(open + 7, close - open - 7);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(css.data(), css.size(), digest.data(), &length, EVP_sha256(), nullptr);
  std::array<unsigned char, 64> b64{};
  EVP_EncodeBlock(b64.data(), digest.data(), static_cast<int>(length));
  std::string hash(reinterpret_cast<const char*>(b64.data()));
  CHECK(contains(content_security_policy(), "style-src 'sha256-" + hash + "'"));
  CHECK(contains(content_security_policy(), "default-src 'none'"));
  CHECK_FALSE(contains(page.html, "style=\""));  // inline style attributes would be blocked
}

TEST_CASE("a page never writes to the store") {
  DashboardFixture f;
  auto before = f.store->latest_sequence();
  std::string root = "/dashboard/" + f.link() + "/";
  for (const char* page : {"", "heatmap", "heatmap/dr-2027", "kpi", "program/dr-2027", "x"})
    (void)f.get(root + page);
  (void)f.get("/dashboard/forged/");
  CHECK(f.store->latest_sequence() == before);
}

TEST_CASE("/itpm dashboard answers the caller with a personal link that opens the pages") {
  DashboardFixture f;
  auto out = f.run("dashboard");
  INFO(out.reply.text);
  CHECK(out.reply.visibility == Visibility::ephemeral);
  CHECK(out.writes.empty());
  CHECK(contains(out.reply.text, "works until Sat 2026-11-28 00:00 UTC"));
  auto at = out.reply.text.find("<https://itpm.example.com/dashboard/");
  REQUIRE(at != std::string::npos);
  std::string url = out.reply.text.substr(at + 1, out.reply.text.find('>', at) - at - 1);
  std::string path = url.substr(std::string("https://itpm.example.com").size());
  CHECK(path.ends_with("/"));
  CHECK(f.get(path).status == 200);
  // Signed for the caller.
  auto token = route(path).token;
  CHECK(check(token, key, seconds(f.now)).grant->user == "UALICE");

  auto program = f.run("dashboard dr-2027", "UBOB");
  auto p = program.reply.text.find("/dashboard/");
  std::string program_path = program.reply.text.substr(p, program.reply.text.find('>', p) - p);
  CHECK(program_path.ends_with("/program/dr-2027"));
  CHECK(f.get(program_path).status == 200);
  CHECK(f.get(program_path.substr(0, program_path.find("program/"))).status == 403);

  CHECK(contains(f.run("dashboard dr-2072").reply.text, "dr-2027"));  // did you mean
  f.base.dashboard_link_lifetime = std::chrono::hours(1);
  CHECK(contains(f.run("dashboard").reply.text, "works until Fri 2026-11-27 13:00 UTC"));
}

TEST_CASE("/itpm dashboard without a key says the bot makes one when it starts") {
  itpm::test::CommandFixture f;
  CHECK(contains(f.run("dashboard").reply.text, "its signing key is made when the bot starts"));
}
