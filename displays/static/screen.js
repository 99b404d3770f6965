// What the wall screens (hall display, window display) share beyond the live channel.
import { $ } from "./hallq-live.js";

// The server refused the screen's token (4401: unknown or revoked, 4403: another hall's): say so,
// with how a manager makes one, in place of the screen.
export function showTokenRefused() {
  $("board").hidden = true;
  $("offline").hidden = true;
  $("token-refused").hidden = false;
  $("need-token").hidden = false;
}
