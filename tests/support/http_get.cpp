#include "tests/support/http_get.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>

namespace itpm::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

HttpGetResult http_get(std::uint16_t port, const std::string& target, bool head) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(5));
  stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> req{head ? http::verb::head : http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(head);  // a HEAD answer has Content-Length and no body
  http::read(stream, buffer, parser);
  auto res = parser.release();
  HttpGetResult result{static_cast<int>(res.result_int()), res.body(), {}};
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers[name] = std::string(field.value());
  }
  return result;
}

}  // namespace itpm::test
