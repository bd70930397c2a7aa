// Hands a sealed export the gateway made (base64 in a JSON answer, so its POST could carry a
// passphrase and the CSRF token) to the browser as a download.
export function downloadFile(file: { fileName: string; mediaType: string; bodyBase64: string }): void {
  const bytes = Uint8Array.from(atob(file.bodyBase64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mediaType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has handed the blob to the download by the next task.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
