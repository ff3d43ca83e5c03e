// Type declarations for the verigate Web SDK v1, served at /sdk/v1/verigate.js.
// The script defines one global, Verigate; see docs/sdk.md.

declare namespace Verigate {
  /** An account was connected in the modal (reported once per account). */
  interface AccountConnected {
    /** The account's id, as GET /partners/v2/accounts/{id} knows it. */
    accountId: string;
    /** The item (payroll) or institution (banking) id the account is at. */
    itemId: string;
    /** The user the verification belongs to. */
    userId?: string;
  }

  /** The connection attempt at an item failed (the failed or locked page). */
  interface AccountError {
    itemId: string;
    /** The connector's error code (e.g. "account_locked"), or "too_many_attempts" when the session locked. */
    errorCode: string;
  }

  /** The outcome on closing: the same values a redirect_url receives. */
  interface CloseResult {
    user_submission_complete: boolean;
    user_attempted_employer_selection: boolean;
  }

  type ErrorCode =
    | "link_expired" // 410: the link is more than an hour old
    | "link_used" // 410: a single_use_url link that already connected an account
    | "link_invalid" // 404: not a link verigate issued, or altered
    | "verification_closed" // 409: the verification was completed or cancelled
    | "request_forbidden" // 403: a form could not be verified
    | "server_error" // 500
    | "data_source_unavailable" // no connector serves the verification's data source
    | "load_timeout"; // no page of the link answered in time (blocked framing, network)

  interface LinkError {
    code: ErrorCode | (string & {});
    /** The HTTP status of the page that reported it (absent for load_timeout). */
    status?: number;
  }

  type UIEventName =
    | "search_opened"
    | "item_selected"
    | "signin_shown"
    | "login_submitted"
    | "mfa_shown"
    | "mfa_submitted"
    | "accounts_shown"
    | "accounts_submitted"
    | "choose_another"
    | "connecting_shown"
    | "success"
    | "failed_shown"
    | "locked_shown";

  interface UIEvent {
    name: UIEventName | (string & {});
    /** itemId, errorCode (a page shown with an error), accounts (how many were shared). */
    properties: { itemId?: string; errorCode?: string; accounts?: number; [key: string]: unknown };
  }

  interface Options {
    /** The session's link, from POST /partners/v2/sessions. */
    connectUrl: string;
    onAccountConnected?: (account: AccountConnected) => void;
    onAccountError?: (error: AccountError) => void;
    onClose?: (result: CloseResult) => void;
    onError?: (error: LinkError) => void;
    onUIEvent?: (event: UIEvent) => void;
    /** Milliseconds to wait for the link's first page before onError({code: "load_timeout"}); default 15000. */
    loadTimeout?: number;
    /** The dialog's accessible name and the frame's title; default "Connect your account". */
    title?: string;
    /** The accessible name of the close button; default "Close". */
    closeLabel?: string;
  }

  interface Link {
    /** Opens the modal (does nothing if it is open). */
    open(): void;
    /** Closes the modal; onClose fires. */
    close(): void;
  }

  /** The messages the link's pages post to the window that opened the modal. */
  interface Message {
    source: "verigate";
    version: 1;
    type: "ready" | "ui_event" | "account_connected" | "account_error" | "close" | "error";
    payload: Record<string, unknown>;
  }

  function create(options: Options): Link;
  const version: string;
  const protocol: 1;
}

interface Window {
  Verigate: typeof Verigate;
}
