// Passkeys (django-otp-webauthn) in Japanese, and what happens after a passkey is registered.
// Loaded as a classic script before the library's module script (templates/django_otp_webauthn/
// *_scripts.html), so no inline script is needed (CSP).
//
// 1. The library calls a global gettext() for its button labels and status lines and ships no
//    Japanese catalog; this file is that catalog (the library's own jsi18n script is not
//    loaded, so nothing replaces it with the English identity).
// 2. Error details sent by the server (the library's exceptions) reach the status line without
//    gettext; they are translated here too, and anything still English is replaced by a
//    Japanese line chosen by the library's data-status-enum.
// 3. After a passkey is registered the page posts #passkey-registered-form: the first device
//    gets its recovery codes (shown once), otherwise the device list is shown again.
(function () {
  "use strict";

  var JA = {
    // register
    "Register a Passkey": "パスキーを登録する",
    "Registering...": "登録しています…",
    "Registration failed. Unable to fetch registration options from server.":
      "パスキーの登録を始められませんでした。ページを再読み込みしてもう一度お試しください。",
    "Registration aborted.": "パスキーの登録を中止しました。",
    "Registration failed. You most likely already have a Passkey registered for this site.":
      "この認証器には、このサイトのパスキーがすでに登録されています。",
    "Registration aborted or not allowed.":
      "パスキーの登録が取り消されたか、許可されませんでした。",
    "Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site.":
      "技術的な問題のため、このサイトのパスキーを登録できません。管理者に連絡してください。",
    "Registration failed. An unknown error occurred.": "パスキーを登録できませんでした。",
    "Finishing registration...": "登録を仕上げています…",
    "Registration failed. The server was unable to verify this passkey.":
      "このパスキーを確認できなかったため、登録できませんでした。",
    "Registration failed. A server error occurred.":
      "サーバーのエラーのため、パスキーを登録できませんでした。",
    "Registration successful!": "パスキーを登録しました。",
    "An error occurred during registration.": "パスキーを登録できませんでした。",
    // verify (the second login step)
    "Verify with Passkey": "パスキーで確認",
    "Verifying...": "確認しています…",
    "Verification failed. Could not retrieve parameters from the server.":
      "パスキーでの確認を始められませんでした。ページを再読み込みしてもう一度お試しください。",
    "Verification aborted.": "パスキーでの確認を中止しました。",
    "Verification canceled or not allowed.":
      "パスキーで確認できませんでした（取り消されたか、この端末に登録済みのパスキーがありません）。確認コードか回復コードを入力してください。",
    "Verification failed. An unknown error occurred.":
      "パスキーで確認できませんでした。確認コードか回復コードを入力してください。",
    "Finishing verification...": "確認を仕上げています…",
    "Verification failed. An unknown server error occurred.":
      "サーバーのエラーのため、パスキーで確認できませんでした。",
    "Verification failed. A server error occurred.":
      "サーバーのエラーのため、パスキーで確認できませんでした。",
    "Verification successful!": "確認しました。",
    "An error occurred during verification.":
      "パスキーで確認できませんでした。確認コードか回復コードを入力してください。",
    // server details (django_otp_webauthn.exceptions)
    "Error processing WebAuthn request.": "パスキーの処理でエラーが起きました。",
    "Malformed request. JSON not parsable.": "パスキーの処理でエラーが起きました。",
    "State is missing or invalid. Please begin the operation first before trying to complete it.":
      "手続きの有効期限が切れました。もう一度ボタンを押してください。",
    "Unprocessable Entity": "パスキーの応答を処理できませんでした。",
    "Passwordless login is disabled.": "先にログインID とパスワードでログインしてください。",
    "This user account is marked as disabled.": "このアカウントは使えません。",
    "This Passkey has been marked as disabled.": "このパスキーは使えません。",
    "The Passkey you tried to use was not found. Perhaps it was removed?":
      "このパスキーは登録されていません（削除された可能性があります）。確認コードか回復コードを入力してください。",
    "The Passkey you tried to use does not belong to the currently logged-in user. Try using a different Passkey or logout first to use this Passkey.":
      "このパスキーはログイン中の職員のものではありません。ご自分のパスキーを使ってください。",
    "Authentication required.": "先にログインしてください。",
    "User is not verified.": "先に2要素認証を済ませてください。",
    "You must verify your identity first with an existing MFA device before you can register a new passkey.":
      "新しいパスキーを登録する前に、登録済みの認証手段で2要素認証を済ませてください。",
  };

  // By data-status-enum, for any English line not in JA.
  var BY_STATUS = {
    "get-options-failed": "パスキーの処理を始められませんでした。ページを再読み込みしてもう一度お試しください。",
    aborted: "パスキーの操作を中止しました。",
    "not-allowed-or-aborted": "パスキーの操作が取り消されたか、許可されませんでした。",
    "security-error": "技術的な問題のため、パスキーを使えません。管理者に連絡してください。",
    "state-error": "この認証器には、このサイトのパスキーがすでに登録されています。",
    "server-error": "パスキーの処理でエラーが起きました。確認コードか回復コードを使ってください。",
    "unknown-error": "パスキーの処理でエラーが起きました。",
  };
  var FALLBACK = "パスキーの処理でエラーが起きました。";
  var JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]/;
  var STATUS_IDS = ["passkey-register-status-message", "passkey-verification-status-message"];

  function translate(text) {
    return Object.prototype.hasOwnProperty.call(JA, text) ? JA[text] : text;
  }

  window.gettext = translate;

  function japaneseStatus() {
    STATUS_IDS.forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) {
        return;
      }
      var text = (el.textContent || "").trim();
      if (!text || JAPANESE.test(text)) {
        return;
      }
      var line = translate(text);
      if (line === text) {
        line = BY_STATUS[el.getAttribute("data-status-enum")] || FALLBACK;
      }
      el.textContent = line;
    });
  }

  function start() {
    new MutationObserver(japaneseStatus).observe(document.body, {
      childList: true,
      characterData: true,
      subtree: true,
    });
    document.addEventListener("otp_webauthn.register_complete", function () {
      var form = document.getElementById("passkey-registered-form");
      if (form) {
        form.submit();
      }
    });
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
