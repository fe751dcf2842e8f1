// What the logged-in user may do here, as the gateway says (ConsoleSession.permissions: the RPCs
// the services' access matrix allows this caller on this instance, e.g.
// "TrainingService.CreateTraining", and the gateway's own "Gateway.ManageAccounts"). Screens
// show a form or a button only when its call is allowed; the services still decide (a refusal
// is shown in plain Japanese, api.js).

/**
 * @param {{permissions?: string[]} | null | undefined} session
 * @param {string} method "IntakeService.Refer"
 */
export function can(session, method) {
  return !!session && Array.isArray(session.permissions) && session.permissions.includes(method);
}

/**
 * Whether any of the methods is allowed.
 * @param {{permissions?: string[]} | null | undefined} session
 * @param {string[]} methods
 */
export function canAny(session, methods) {
  return methods.some((m) => can(session, m));
}
