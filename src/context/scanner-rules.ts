/** The project scanner's tables: what to skip, which extension is which language, framework markers. */

export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([
  '.git', 'node_modules', '.venv', 'venv', 'env', 'dist', 'build', '.next', '.nuxt', 'target', 'out',
  'coverage', 'htmlcov', 'vendor', '__pycache__', '.tox',
]);

/** Dotfiles worth reading; every other dotfile and dot-directory is skipped. */
export const ALLOWED_DOTFILES: ReadonlySet<string> = new Set([
  '.env.example', '.gitignore', '.dockerignore', '.editorconfig', '.eslintrc.json', '.prettierrc', '.github', '.gitlab-ci.yml', '.circleci',
]);

export function isSkippedDirectory(name: string): boolean {
  return SKIPPED_DIRECTORIES.has(name) || /^\..*_cache$/.test(name) || name.endsWith('.egg-info');
}

export const LANGUAGE_MAP: Readonly<Record<string, string>> = {
  '.py': 'Python', '.pyi': 'Python', '.js': 'JavaScript', '.mjs': 'JavaScript', '.cjs': 'JavaScript', '.jsx': 'JavaScript',
  '.ts': 'TypeScript', '.tsx': 'TypeScript', '.mts': 'TypeScript', '.cts': 'TypeScript', '.go': 'Go', '.rs': 'Rust',
  '.java': 'Java', '.kt': 'Kotlin', '.kts': 'Kotlin', '.scala': 'Scala', '.rb': 'Ruby', '.php': 'PHP', '.cs': 'C#',
  '.fs': 'F#', '.c': 'C', '.h': 'C', '.cc': 'C++', '.cpp': 'C++', '.cxx': 'C++', '.hpp': 'C++', '.swift': 'Swift',
  '.m': 'Objective-C', '.dart': 'Dart', '.lua': 'Lua', '.r': 'R', '.jl': 'Julia', '.ex': 'Elixir', '.exs': 'Elixir',
  '.erl': 'Erlang', '.hs': 'Haskell', '.clj': 'Clojure', '.sh': 'Shell', '.bash': 'Shell', '.zsh': 'Shell',
  '.ps1': 'PowerShell', '.sql': 'SQL', '.html': 'HTML', '.css': 'CSS', '.scss': 'SCSS', '.vue': 'Vue',
  '.svelte': 'Svelte', '.tf': 'Terraform', '.zig': 'Zig', '.nim': 'Nim', '.ml': 'OCaml',
};

/** Marker file (or directory, ending in "/") → framework or tool; `*` matches any suffix. */
export const FRAMEWORK_MARKERS: readonly (readonly [string, string])[] = [
  ['requirements.txt', 'python'], ['pyproject.toml', 'python'], ['setup.py', 'python'], ['Pipfile', 'python'],
  ['package.json', 'node'], ['tsconfig.json', 'typescript'], ['Cargo.toml', 'rust'], ['go.mod', 'go'],
  ['pom.xml', 'maven'], ['build.gradle', 'gradle'], ['build.gradle.kts', 'gradle'], ['Gemfile', 'ruby'],
  ['composer.json', 'php'], ['next.config.*', 'nextjs'], ['nuxt.config.*', 'nuxt'], ['vite.config.*', 'vite'],
  ['webpack.config.*', 'webpack'], ['angular.json', 'angular'], ['svelte.config.*', 'svelte'],
  ['Dockerfile', 'docker'], ['docker-compose.yml', 'docker-compose'], ['docker-compose.yaml', 'docker-compose'],
  ['compose.yaml', 'docker-compose'], ['Makefile', 'make'], ['Jenkinsfile', 'jenkins'],
  ['.github/workflows/', 'github-actions'], ['.gitlab-ci.yml', 'gitlab-ci'], ['.circleci/', 'circleci'],
  ['pytest.ini', 'pytest'], ['tox.ini', 'tox'], ['jest.config.*', 'jest'], ['vitest.config.*', 'vitest'],
  ['.eslintrc.json', 'eslint'], ['eslint.config.*', 'eslint'], ['.prettierrc', 'prettier'], ['prettier.config.*', 'prettier'],
  ['alembic.ini', 'alembic'], ['manage.py', 'django'], ['app.py', 'flask-or-fastapi'], ['main.py', 'fastapi-or-app'],
  ['k8s/', 'kubernetes'], ['helm/', 'helm'], ['prisma/', 'prisma'], ['schema.prisma', 'prisma'],
  ['drizzle.config.*', 'drizzle'], ['tailwind.config.*', 'tailwind'], ['terraform/', 'terraform'], ['CMakeLists.txt', 'cmake'],
];

/** package.json dependency → framework. */
export const PACKAGE_FRAMEWORKS: Readonly<Record<string, string>> = {
  react: 'react', vue: 'vue', '@angular/core': 'angular', svelte: 'svelte', express: 'express', fastify: 'fastify',
  '@nestjs/core': 'nestjs', prisma: 'prisma', '@prisma/client': 'prisma', 'drizzle-orm': 'drizzle', sequelize: 'sequelize',
  typeorm: 'typeorm', mongoose: 'mongoose', jest: 'jest', vitest: 'vitest', mocha: 'mocha', cypress: 'cypress',
  '@playwright/test': 'playwright', playwright: 'playwright', tailwindcss: 'tailwind', 'styled-components': 'styled-components',
  redux: 'redux', '@reduxjs/toolkit': 'redux', zustand: 'zustand', mobx: 'mobx', next: 'nextjs', nuxt: 'nuxt',
};

/** Words in pyproject.toml / requirements.txt → framework. */
export const PYTHON_FRAMEWORKS: readonly string[] = ['django', 'flask', 'fastapi', 'sqlalchemy', 'pydantic', 'celery', 'pytest', 'alembic'];

/** Directory pairs that reveal a layout. */
export const STRUCTURE_PATTERNS: readonly { readonly dirs: readonly string[]; readonly name: string; readonly description: string }[] = [
  { dirs: ['src', 'tests'], name: 'src + tests layout', description: 'Source in src/, tests in tests/.' },
  { dirs: ['src', 'test'], name: 'src + test layout', description: 'Source in src/, tests in test/.' },
  { dirs: ['app', 'tests'], name: 'app + tests layout', description: 'Application code in app/, tests in tests/.' },
  { dirs: ['lib', 'test'], name: 'lib + test layout', description: 'Library code in lib/, tests in test/.' },
  { dirs: ['frontend', 'backend'], name: 'frontend/backend split', description: 'Separate frontend/ and backend/ trees.' },
  { dirs: ['packages'], name: 'monorepo (packages/)', description: 'Several packages under packages/.' },
  { dirs: ['services'], name: 'services layout', description: 'Several services under services/.' },
];

/** Text formats that are not programming languages: named on their file nodes, left out of the project's language counts. */
export const FORMAT_MAP: Readonly<Record<string, string>> = {
  '.md': 'Markdown', '.mdx': 'Markdown', '.markdown': 'Markdown', '.rst': 'reStructuredText', '.txt': 'Text',
  '.json': 'JSON', '.jsonc': 'JSON', '.yaml': 'YAML', '.yml': 'YAML', '.toml': 'TOML', '.xml': 'XML', '.ini': 'INI',
  '.cfg': 'INI', '.proto': 'Protocol Buffers', '.graphql': 'GraphQL', '.gql': 'GraphQL',
};

/** Files known by their whole name. */
export const FILE_NAME_FORMATS: Readonly<Record<string, string>> = {
  Dockerfile: 'Dockerfile', Makefile: 'Makefile', GNUmakefile: 'Makefile', Jenkinsfile: 'Groovy', Gemfile: 'Ruby', Rakefile: 'Ruby',
};

/**
 * Extensions of files that are binary whatever their content: skipped without being read. Other
 * files are read and skipped when their first 8,000 bytes hold a NUL byte (git's own test).
 */
export const BINARY_EXTENSIONS: ReadonlySet<string> = new Set([
  '.png', '.jpg', '.jpeg', '.gif', '.bmp', '.ico', '.webp', '.avif', '.tif', '.tiff', '.psd', '.pdf', '.zip', '.gz', '.tgz',
  '.bz2', '.xz', '.zst', '.7z', '.rar', '.tar', '.jar', '.war', '.class', '.o', '.a', '.so', '.dylib', '.dll', '.exe', '.bin',
  '.wasm', '.pyc', '.pyo', '.woff', '.woff2', '.ttf', '.otf', '.eot', '.mp3', '.mp4', '.m4a', '.wav', '.ogg', '.flac',
  '.mov', '.avi', '.mkv', '.webm', '.sqlite', '.db', '.gguf', '.onnx', '.pt', '.pth', '.safetensors', '.npy', '.npz',
  '.parquet', '.xlsx', '.docx', '.pptx', '.keystore', '.p12', '.der',
]);
