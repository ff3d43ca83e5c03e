// Type declarations for the verigate Web SDK, served at /sdk/v1/verigate.js,
// /argyle.web.v5.js and /sdk/v5/argyle.web.js (one script). It defines two
// globals: Argyle (the platform's Web SDK interface) and Verigate (v1); see docs/sdk.md.

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
    type: "ready" | "ui_event" | "account_connected" | "account_error" | "close" | "error"
      | "escape" | "link_event" | "account_created" | "cant_find" | "documents_submitted";
    payload: Record<string, unknown>;
  }

  function create(options: Options): Link;
  const version: string;
  const protocol: 1;
}

interface Window {
  Verigate: typeof Verigate;
}

declare namespace Argyle {
  /** onAccountCreated, onAccountUpdated, onAccountConnected, onAccountError, onAccountRemoved. */
  interface AccountPayload {
    accountId: string;
    userId: string;
    itemId: string;
  }

  interface ErrorPayload {
    userId: string;
    /** expired_user_token, invalid_user_token, invalid_items, invalid_account_id or generic. */
    errorType: "expired_user_token" | "invalid_user_token" | "invalid_items" | "invalid_account_id" | "generic" | (string & {});
    errorMessage: string;
    errorDetails: string;
  }

  interface UIEvent {
    /** "intro - opened", "search - opened", "search - term updated", "search - link item selected",
     * "login - opened", "login - form submitted", "mfa - opened", "success - opened", "error - opened", "link closed". */
    name: string;
    properties: {
      userId: string;
      deepLink: boolean;
      accountId?: string;
      itemId?: string;
      linkItem?: string;
      term?: string;
      tab?: string;
      errorCode?: string;
      errorMessage?: string;
      type?: string;
      mfaType?: string;
      errorType?: string;
      [key: string]: unknown;
    };
  }

  interface Config {
    /** A user token from POST /v2/user-tokens (or POST /v2/users); or: */
    userToken?: string;
    /** A session link from POST /partners/v2/sessions. */
    connectUrl?: string;
    /** true for a sandbox user token; must match the token's environment. */
    sandbox?: boolean;
    flowId?: string;
    items?: string[];
    language?: string;
    /** Reconnect this account of the user. */
    accountId?: string;
    customizationId?: string;
    onAccountCreated?: (payload: AccountPayload) => void;
    onAccountConnected?: (payload: AccountPayload) => void;
    onAccountUpdated?: (payload: AccountPayload) => void;
    onAccountRemoved?: (payload: AccountPayload) => void;
    onAccountError?: (payload: AccountPayload) => void;
    onCantFindItemClicked?: (payload: { term: string }) => void;
    onClose?: () => void;
    onError?: (payload: ErrorPayload) => void;
    onTokenExpired?: (updateToken: (userToken: string) => void) => void;
    onUIEvent?: (payload: UIEvent) => void;
    /** A document was uploaded in Link ("Can't find your employer?"): {userId}. */
    onDocumentsSubmitted?: (payload: { userId: string }) => void;
    onFormSubmitted?: (payload: Record<string, unknown>) => void;
    /** verigate: milliseconds to wait for Link's first page; default 15000. */
    loadTimeout?: number;
    /** verigate: the dialog's accessible name. */
    title?: string;
    /** verigate: the close button's accessible name. */
    closeLabel?: string;
    /** Options of the platform verigate does not support are accepted and ignored. */
    [option: string]: unknown;
  }

  interface Link {
    open(): void;
    close(): void;
  }

  function create(config: Config): Link;
  const version: string;
}

interface Window {
  Argyle: typeof Argyle;
}
