// Saves text the gateway returned (a worksheet, a calendar, a digest) as a file, through a Blob:
// nothing is fetched again and no data: URL is needed.
/**
 * @param {string} fileName
 * @param {string} content
 * @param {string} [contentType]
 */
export function downloadText(fileName, content, contentType = 'text/plain; charset=utf-8') {
  const blob = new Blob([content], { type: contentType });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
