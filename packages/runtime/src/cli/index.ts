export { cliUsage, parseCliArgs } from './parse-cli-args.js';
