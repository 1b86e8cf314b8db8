// The preview server's defaults, apart from the server so the CLI can name them in --help
// without loading MJML, nodemailer and the HTTP server for every command.
export const DEFAULT_PREVIEW_PORT = 4000;
/** Loopback only: previews may show subscribers' names and addresses. */
export const DEFAULT_PREVIEW_HOST = '127.0.0.1';
