/**
 * Rendering: a Review (or a Finding) in, text out, for every surface. Pure: nothing here reads a
 * repository, the network or the clock; the only file read is the package's own `templates/`.
 */
export { code, codeCell, esc, plain, safeUrl } from './escape.js';
export { TEMPLATES_DIR, TemplateError, builtInTemplate, checkOverrides, templateNames, type TemplateOverrides } from './handlebars.js';
export { GITLAB_SEVERITY, gitlabSeverity, renderGitLab, toGitLab, type GitLabIssue, type GitLabSeverity } from './gitlab.js';
export { renderJson, toJsonReport, type JsonFinding, type JsonReport } from './json.js';
export { deltaText, formulaLine, pillarName, practiceLink, practiceUrl, scoreText } from './labels.js';
export {
  CHECK_OUTPUT_LIMIT,
  COMMENT_LIMIT,
  DEFAULT_MAX_FINDINGS,
  SUMMARY_MARKER,
  checkTitle,
  fingerprintKey,
  fingerprintMarker,
  inlineAnchor,
  issueTitle,
  parseFingerprintMarker,
  renderCheckSummary,
  renderInline,
  renderIssue,
  renderMarkdownReport,
  renderSummary,
  type CheckOutput,
  type FileUrl,
  type GateOptions,
  type InlineOptions,
  type IssueOptions,
  type SummaryOptions,
} from './markdown.js';
export { FINGERPRINT_KEY, renderSarif, toSarif, type SarifLog, type SarifOptions } from './sarif.js';
export { renderTerminal, shouldUseColor, type TerminalOptions } from './terminal.js';
