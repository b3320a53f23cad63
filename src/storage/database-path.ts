/** Where the project's database lives, without loading the SQLite driver (database.ts). */
import path from 'node:path';

/** The database file under a home directory. */
export function databasePath(home: string): string {
  return path.join(home, 'context.db');
}
