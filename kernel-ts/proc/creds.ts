// Credentials. vmlab runs every process as one ordinary user, uid/gid 1000
// (what a learner's own account usually is), never root: getuid, geteuid,
// getgid, getegid and AT_UID/AT_EUID/AT_GID/AT_EGID all report these.
export const USER_UID = 1000;
export const USER_GID = 1000;
