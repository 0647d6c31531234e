import path from "node:path";

/**
 * The folder `npm start` keeps its data in: `.data/` in the project, or CONSOLE_DATA_DIR (a second
 * console on one machine, the tests). Scripts that reach the private PostgreSQL find it here too.
 */
export function consoleDataDir(root: string): string {
  return path.resolve(root, process.env.CONSOLE_DATA_DIR ?? ".data");
}
