#include "bot/ops/health.hpp"

#include <spdlog/spdlog.h>

namespace itpm::bot {

void Health::failed(std::string_view task, std::string_view doing, std::string_view error) {
  spdlog::error("{}: failed while {}: {}", task, doing, error);
  std::lock_guard lock(mutex_);
  auto [it, added] = tasks_.try_emplace(std::string(task));
  ++it->second.failures_in_a_row;
  it->second.last_error = std::string(doing) + ": " + std::string(error);
  metrics_.add("itpm_task_failures_total", {{"task", task}});
  publish(it->first, it->second);
}

void Health::succeeded(std::string_view task) {
  std::lock_guard lock(mutex_);
  auto it = tasks_.find(task);
  if (it == tasks_.end() || it->second.failures_in_a_row == 0) return;
  if (it->second.failures_in_a_row >= failing_after) spdlog::info("{}: working again", task);
  it->second.failures_in_a_row = 0;
  publish(it->first, it->second);
}

void Health::set_problem(std::string_view name, std::string why) {
  std::lock_guard lock(mutex_);
  auto [it, added] = problems_.try_emplace(std::string(name));
  if (added || it->second != why) spdlog::error("not ready: {}: {}", name, why);
  it->second = std::move(why);
  metrics_.set("itpm_problem", {{"name", name}}, 1);
}

void Health::clear_problem(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = problems_.find(name);
  if (it == problems_.end()) return;
  spdlog::info("{}: resolved", name);
  problems_.erase(it);
  metrics_.set("itpm_problem", {{"name", name}}, 0);
}

std::string Health::problems() const {
  std::lock_guard lock(mutex_);
  std::string out;
  auto add = [&](const std::string& line) { out += (out.empty() ? "" : "; ") + line; };
  for (const auto& [name, why] : problems_) add(name + ": " + why);
  for (const auto& [task, t] : tasks_) {
    if (t.failures_in_a_row >= failing_after) {
      add(task + " failing (" + std::to_string(t.failures_in_a_row) +
          " times in a row; last: " + t.last_error + ")");
    }
  }
  return out;
}

void Health::publish(const std::string& task, const Task& t) {
  metrics_.set("itpm_task_failing", {{"task", task}}, t.failures_in_a_row >= failing_after ? 1 : 0);
}

}  // namespace itpm::bot
