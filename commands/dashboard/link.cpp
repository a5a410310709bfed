#include "commands/dashboard/link.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <charconv>

namespace itpm::commands::dashboard {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string mac(std::string_view payload, std::string_view key) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), out.data(), &length);
  return {reinterpret_cast<const char*>(out.data()), length};
}

// "1|U123|*|1767225600" -> the grant; nullopt for anything else.
std::optional<Grant> parse(std::string_view payload) {
  std::array<std::string_view, 4> parts;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto bar = payload.find('|');
    if ((bar == std::string_view::npos) != (i == parts.size() - 1)) return std::nullopt;
    parts[i] = payload.substr(0, bar);
    payload = bar == std::string_view::npos ? std::string_view() : payload.substr(bar + 1);
  }
  if (parts[0] != "1" || parts[1].empty() || parts[2].empty()) return std::nullopt;
  Grant grant{std::string(parts[1]), std::string(parts[2]), 0};
  auto [end, ec] =
      std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), grant.expires);
  if (ec != std::errc() || end != parts[3].data() + parts[3].size()) return std::nullopt;
  return grant;
}

}  // namespace

std::string base64url(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8U) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(buffer >> static_cast<unsigned>(bits)) & 0x3FU];
    }
  }
  if (bits > 0) out += alphabet[(buffer << static_cast<unsigned>(6 - bits)) & 0x3FU];
  return out;
}

std::optional<std::string> from_base64url(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    auto at = alphabet.find(c);
    if (at == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6U) | static_cast<std::uint32_t>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  // Leftover bits must be zero padding of a canonical encoding.
  if (bits >= 6 || (buffer & ((1U << static_cast<unsigned>(bits)) - 1U)) != 0) return std::nullopt;
  return out;
}

std::string sign(const Grant& grant, std::string_view key) {
  std::string payload = fmt::format("1|{}|{}|{}", grant.user, grant.scope, grant.expires);
  return base64url(payload) + "." + base64url(mac(payload, key));
}

Checked check(std::string_view token, std::string_view key, std::int64_t now) {
  Checked checked;
  checked.problem = LinkProblem::malformed;
  // A link is short; a long one is not ours (and is not worth a MAC).
  if (token.size() > 512 || key.empty()) return checked;
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return checked;
  auto payload = from_base64url(token.substr(0, dot));
  auto given = from_base64url(token.substr(dot + 1));
  if (!payload || !given) return checked;
  std::string expected = mac(*payload, key);
  if (given->size() != expected.size() ||
      CRYPTO_memcmp(given->data(), expected.data(), expected.size()) != 0) {
    checked.problem = LinkProblem::forged;
    return checked;
  }
  auto grant = parse(*payload);
  if (!grant) return checked;
  if (grant->expires <= now) {
    checked.problem = LinkProblem::expired;
    checked.expired_at = grant->expires;
    return checked;
  }
  checked.problem = LinkProblem::none;
  checked.grant = std::move(grant);
  return checked;
}

}  // namespace itpm::commands::dashboard
