import { Command } from "commander";
import { AppError } from "../shared/errors.js";
import { registerAccessCommands } from "./commands/access.js";
import { registerCoreCommands } from "./commands/core.js";
import { registerDemoCommands } from "./commands/demo.js";
import { registerExchangeCommands } from "./commands/exchange.js";
import { registerIndicatorCommands } from "./commands/indicators.js";
import { registerRegistryCommands } from "./commands/registry.js";
import { fail } from "./context.js";

/**
 * `npm run cli -- <command>`. Each capability registers its commands from src/cli/commands/.
 */
const program = new Command()
  .name("npm run cli --")
  .description("吕梁市教育大数据平台 命令行工具")
  .showHelpAfterError();

registerCoreCommands(program);
registerAccessCommands(program);
registerDemoCommands(program);
registerRegistryCommands(program);
registerExchangeCommands(program);
registerIndicatorCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  fail(e instanceof AppError ? `${e.message} (${e.code})` : (e as Error).message);
}
