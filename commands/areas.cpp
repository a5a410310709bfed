#include "commands/areas.hpp"

#include "commands/action_commands.hpp"
#include "commands/audit_command.hpp"
#include "commands/config_commands.hpp"
#include "commands/decision_commands.hpp"
#include "commands/dep_commands.hpp"
#include "commands/kpi_command.hpp"
#include "commands/milestone_commands.hpp"
#include "commands/program_commands.hpp"
#include "commands/report_command.hpp"
#include "commands/review_commands.hpp"
#include "commands/risk_commands.hpp"
#include "commands/staff_commands.hpp"
#include "commands/survey_commands.hpp"

namespace itpm::commands {

void add_all_areas(Registry& registry) {
  add_program_commands(registry);
  add_risk_commands(registry);
  add_decision_commands(registry);
  add_review_commands(registry);
  add_milestone_commands(registry);
  add_dep_commands(registry);
  add_action_commands(registry);
  add_staff_commands(registry);
  add_survey_commands(registry);
  add_config_commands(registry);
  add_report_command(registry);
  add_kpi_command(registry);
  add_audit_command(registry);
}

}  // namespace itpm::commands
