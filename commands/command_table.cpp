#include "commands/command_table.hpp"

#include "commands/areas/action_commands.hpp"
#include "commands/areas/audit_command.hpp"
#include "commands/areas/calendar_commands.hpp"
#include "commands/areas/config_commands.hpp"
#include "commands/areas/dashboard_command.hpp"
#include "commands/areas/decision_commands.hpp"
#include "commands/areas/dep_commands.hpp"
#include "commands/areas/help_commands.hpp"
#include "commands/areas/kpi_command.hpp"
#include "commands/areas/milestone_commands.hpp"
#include "commands/areas/program_commands.hpp"
#include "commands/areas/report_command.hpp"
#include "commands/areas/review_commands.hpp"
#include "commands/areas/risk_commands.hpp"
#include "commands/areas/staff_commands.hpp"
#include "commands/areas/survey_commands.hpp"

namespace itpm::commands {

const Grammar& command_grammar() {
  static const Grammar grammar = {
      help_area(),    program_area(),   risk_area(),   decision_area(),  review_area(),
      status_area(),  milestone_area(), dep_area(),    action_area(),    staff_area(),
      survey_area(),  report_area(),    kpi_area(),    dashboard_area(), audit_area(),
      holiday_area(), ooo_area(),       config_area(), whoami_area()};
  return grammar;
}

}  // namespace itpm::commands
