// allauth's passkey scripts (mfa/js/webauthn.js) report a failure (cancelled, timed out, a key
// this site does not know) only as an "allauth.error" event, logged to the console unless a page
// handles it. This says it on the page, in the live region at the top of <main>, as role=alert.
(function () {
  document.addEventListener('allauth.error', function (event) {
    const detail = event.detail || {}
    if ((detail.tags || []).indexOf('webauthn') === -1) return
    const box = document.getElementById('htmx-errors')
    if (!box) return
    event.preventDefault()
    const exception = detail.exception || {}
    const message = document.createElement('p')
    message.className = 'form-errors'
    message.setAttribute('role', 'alert')
    message.textContent = exception.name === 'NotAllowedError'
      ? 'The passkey was not used: it was cancelled, took too long, or is not one this site knows. Try again, or use another way.'
      : 'The passkey did not work' + (exception.message ? ': ' + exception.message : '.')
    box.replaceChildren(message)
  })
})()
