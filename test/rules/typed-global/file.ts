// The typed fast-path cases lint this file's path with their own code (a script: no import, no export).
