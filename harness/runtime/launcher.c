// The process launcher (harness/runtime/launcher.ts): starts programs for one harness process and
// relays their output, so that process never forks itself. A fork copies the forking process's page
// tables and makes its every page copy-on-write: forking the 130 MB test workers was about 4% of a
// catalogue run's CPU, for its 1170 starts (perf; docs/performance.md, "Process starts through a
// launcher"). This process is small, and posix_spawn starts a program without copying it at all.
//
// Frames both ways: u32 length (little-endian, of what follows), u8 type, u32 id, payload.
// Requests on stdin:
//   1 spawn:     u8 stdin (0 /dev/null, 1 a pipe), u32 argc, argc NUL-ended strings (argv[0] is
//                the command, looked up on the PATH of the environment given), u32 envc, envc
//                NUL-ended "NAME=value" strings (the whole environment).
//   2 input:     bytes for the program's stdin.
//   3 end input: close the program's stdin once what came before is written.
// Events on stdout:
//   1 started:   i32 pid.                     2 failed: an errno name (ENOENT, EACCES...).
//   3 output:    u8 stream (1 stdout, 2 stderr), bytes.
//   4 closed:    i32 exit code, or -1 when a signal ended it; sent once the program has exited and
//                both its output pipes are closed (a grandchild may hold them), as node's "close".
// Frames come and go in the order things happened: fds are read in the order epoll saw them ready.
// Each program starts in a session and process group of its own, with every signal at its default
// and none blocked (node's detached spawn does the same). When stdin ends (the harness process is
// gone) every program still running is killed with its group, and the launcher exits.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void fail(const char *what);

enum { REQUEST_SPAWN = 1, REQUEST_INPUT = 2, REQUEST_END_INPUT = 3 };
enum { EVENT_STARTED = 1, EVENT_FAILED = 2, EVENT_OUTPUT = 3, EVENT_CLOSED = 4 };

struct program {
  uint32_t id;
  pid_t pid;
  int output[2]; /* stdout, stderr; -1 once closed */
  int input;     /* -1 when none or closed */
  char *pending; /* input not written yet */
  size_t pendingLength;
  int endInput;
  int inputWatched; /* registered for EPOLLOUT: input is waiting for room in the pipe */
  int exited;
  int exitCode;
};

static struct program *programs;
static size_t programCount, programCapacity;
static int childSignal[2];
/* epoll, not poll: it reports fds in the order they became ready, so when a program writes stderr
   and then stdout, its output is relayed in that order (libuv, under node's spawn, does the same). */
static int events;

enum { TAG_REQUESTS = 1, TAG_CHILD_SIGNAL = 2 };
/* A program's fd is tagged with its id and which fd it is (1 stdout, 2 stderr, 3 stdin). */
static uint64_t tagOf(uint32_t id, int which) { return ((uint64_t)id << 8) | (uint64_t)which; }

static void watch(int fd, uint32_t mask, uint64_t tag) {
  struct epoll_event event = {.events = mask, .data.u64 = tag};
  if (epoll_ctl(events, EPOLL_CTL_ADD, fd, &event)) fail("epoll_ctl failed");
}

static void fail(const char *what) {
  (void)!write(2, "mtls-conformance launcher: ", 27);
  (void)!write(2, what, strlen(what));
  (void)!write(2, "\n", 1);
  exit(1);
}

static void writeAll(const void *data, size_t length) {
  const char *at = data;
  while (length) {
    ssize_t written = write(1, at, length);
    if (written < 0) {
      if (errno == EINTR) continue;
      /* The harness is gone: what the programs do no longer matters to anyone. */
      exit(0);
    }
    at += written;
    length -= (size_t)written;
  }
}

static void sendEvent(uint8_t type, uint32_t id, const void *payload, size_t length, int stream) {
  unsigned char header[10];
  uint32_t frame = (uint32_t)(5 + (stream ? 1 : 0) + length);
  memcpy(header, &frame, 4);
  header[4] = type;
  memcpy(header + 5, &id, 4);
  header[9] = (unsigned char)stream;
  writeAll(header, stream ? 10 : 9);
  if (length) writeAll(payload, length);
}

static void sendInt(uint8_t type, uint32_t id, int32_t value) { sendEvent(type, id, &value, 4, 0); }

static struct program *find(uint32_t id) {
  for (size_t i = 0; i < programCount; i++)
    if (programs[i].id == id) return &programs[i];
  return NULL;
}

static void closeInput(struct program *program) {
  if (program->input >= 0) close(program->input); /* closing removes it from epoll */
  program->input = -1;
  program->inputWatched = 0;
  free(program->pending);
  program->pending = NULL;
  program->pendingLength = 0;
}

/** Sends "closed" and forgets the program once it has exited and its output pipes are closed (the last program takes its place). */
static void finishIfDone(size_t index) {
  struct program *program = &programs[index];
  if (!program->exited || program->output[0] >= 0 || program->output[1] >= 0) return;
  closeInput(program);
  sendInt(EVENT_CLOSED, program->id, program->exitCode);
  programs[index] = programs[--programCount];
}

/** Writes what input it can without blocking; a program that stopped reading loses the rest. */
static void flushInput(struct program *program) {
  while (program->input >= 0 && program->pendingLength) {
    ssize_t written = write(program->input, program->pending, program->pendingLength);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        if (!program->inputWatched) watch(program->input, EPOLLOUT, tagOf(program->id, 3));
        program->inputWatched = 1;
        return;
      }
      closeInput(program); /* EPIPE: it exited without reading, as node's spawn allows */
      return;
    }
    memmove(program->pending, program->pending + written, program->pendingLength - (size_t)written);
    program->pendingLength -= (size_t)written;
  }
  if (program->inputWatched && program->input >= 0 && !program->pendingLength) {
    epoll_ctl(events, EPOLL_CTL_DEL, program->input, NULL);
    program->inputWatched = 0;
  }
  if (program->input >= 0 && !program->pendingLength && program->endInput) closeInput(program);
}

/** The program's path: as given when it names a directory, else the first executable on PATH. */
static int resolve(const char *command, char **envp, char *path, size_t size) {
  if (strchr(command, '/')) {
    if (strlen(command) >= size) return ENAMETOOLONG;
    strcpy(path, command);
    return access(path, X_OK) == 0 ? 0 : errno;
  }
  const char *search = NULL;
  for (char **entry = envp; *entry; entry++)
    if (strncmp(*entry, "PATH=", 5) == 0) search = *entry + 5;
  if (!search) search = getenv("PATH");
  if (!search) search = "/usr/local/bin:/usr/bin:/bin";
  int found = ENOENT;
  for (const char *start = search;; start++) {
    const char *end = strchrnul(start, ':');
    size_t dirLength = (size_t)(end - start);
    if (dirLength + 1 + strlen(command) < size) {
      if (dirLength) {
        memcpy(path, start, dirLength);
        path[dirLength] = '/';
        strcpy(path + dirLength + 1, command);
      } else {
        strcpy(path, command); /* an empty entry is the current directory */
      }
      struct stat info;
      if (stat(path, &info) == 0 && S_ISREG(info.st_mode)) {
        if (access(path, X_OK) == 0) return 0;
        found = EACCES;
      }
    }
    if (!*end) return found;
    start = end;
  }
}

static const char *errnoName(int code) {
  switch (code) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case ENOEXEC: return "ENOEXEC";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case E2BIG: return "E2BIG";
    case ENOMEM: return "ENOMEM";
    case EAGAIN: return "EAGAIN";
    case EMFILE: return "EMFILE";
    default: return "EIO";
  }
}

/** Reads `count` NUL-ended strings from [*at, end) into a NULL-ended array. */
static char **readStrings(char **at, char *end, uint32_t count) {
  char **strings = calloc((size_t)count + 1, sizeof(char *));
  if (!strings) fail("out of memory");
  for (uint32_t i = 0; i < count; i++) {
    char *nul = memchr(*at, 0, (size_t)(end - *at));
    if (!nul) fail("a spawn request's strings run past its frame");
    strings[i] = *at;
    *at = nul + 1;
  }
  return strings;
}

static uint32_t readCount(char **at, char *end) {
  uint32_t count;
  if (end - *at < 4) fail("a spawn request ends early");
  memcpy(&count, *at, 4);
  *at += 4;
  return count;
}

static void spawnProgram(uint32_t id, char *payload, char *end) {
  if (end - payload < 1) fail("a spawn request ends early");
  int inputPipe = payload[0] == 1;
  char *at = payload + 1;
  uint32_t argc = readCount(&at, end);
  char **argv = readStrings(&at, end, argc);
  uint32_t envc = readCount(&at, end);
  char **envp = readStrings(&at, end, envc);
  char path[4096];
  int error = argc ? resolve(argv[0], envp, path, sizeof path) : ENOENT;
  int input[2] = {-1, -1}, output[2][2] = {{-1, -1}, {-1, -1}};
  pid_t pid = 0;
  if (!error && ((inputPipe && pipe2(input, O_CLOEXEC)) || pipe2(output[0], O_CLOEXEC) || pipe2(output[1], O_CLOEXEC))) error = errno;
  if (!error) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawn_file_actions_init(&actions);
    if (inputPipe) posix_spawn_file_actions_adddup2(&actions, input[0], 0);
    else posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, output[0][1], 1);
    posix_spawn_file_actions_adddup2(&actions, output[1][1], 2);
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setsigmask(&attributes, &none);
    error = posix_spawn(&pid, path, &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  free(argv);
  free(envp);
  /* Our copies of the program's ends; on a failure, every end. */
  if (input[0] >= 0) close(input[0]);
  for (int stream = 0; stream < 2; stream++)
    if (output[stream][1] >= 0) close(output[stream][1]);
  if (error) {
    if (input[1] >= 0) close(input[1]);
    for (int stream = 0; stream < 2; stream++)
      if (output[stream][0] >= 0) close(output[stream][0]);
    const char *name = errnoName(error);
    sendEvent(EVENT_FAILED, id, name, strlen(name), 0);
    return;
  }
  if (programCount == programCapacity) {
    programCapacity = programCapacity ? programCapacity * 2 : 32;
    programs = realloc(programs, programCapacity * sizeof *programs);
    if (!programs) fail("out of memory");
  }
  struct program *program = &programs[programCount++];
  *program = (struct program){.id = id, .pid = pid, .output = {output[0][0], output[1][0]}, .input = input[1]};
  for (int stream = 0; stream < 2; stream++) {
    fcntl(program->output[stream], F_SETFL, O_NONBLOCK);
    watch(program->output[stream], EPOLLIN, tagOf(id, stream + 1));
  }
  if (program->input >= 0) fcntl(program->input, F_SETFL, O_NONBLOCK);
  sendInt(EVENT_STARTED, id, pid);
}

static void handleRequest(uint8_t type, uint32_t id, char *payload, char *end) {
  if (type == REQUEST_SPAWN) return spawnProgram(id, payload, end);
  struct program *program = find(id);
  if (!program || program->input < 0) return; /* it ended, or its input is closed: nothing to write */
  if (type == REQUEST_INPUT) {
    size_t length = (size_t)(end - payload);
    char *grown = realloc(program->pending, program->pendingLength + length);
    if (!grown && length) fail("out of memory");
    program->pending = grown;
    memcpy(program->pending + program->pendingLength, payload, length);
    program->pendingLength += length;
  } else if (type == REQUEST_END_INPUT) {
    program->endInput = 1;
  }
  flushInput(program);
}

static void onChildSignal(int signal) {
  (void)signal;
  int saved = errno;
  (void)!write(childSignal[1], "x", 1);
  errno = saved;
}

static void reap(void) {
  char drain[64];
  while (read(childSignal[0], drain, sizeof drain) > 0) {}
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    for (size_t i = 0; i < programCount; i++) {
      if (programs[i].pid != pid) continue;
      programs[i].exited = 1;
      programs[i].exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      break;
    }
  }
}

/** The harness is gone: no program of its outlives it. */
static void killAll(void) {
  for (size_t i = 0; i < programCount; i++)
    if (!programs[i].exited) kill(-programs[i].pid, SIGKILL);
  exit(0);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  /* Ctrl-C reaches the whole foreground group: the harness handles it, and this launcher stays to
     kill what is left when the harness has gone. */
  signal(SIGINT, SIG_IGN);
  if (pipe2(childSignal, O_CLOEXEC | O_NONBLOCK)) fail("no pipe");
  struct sigaction action = {.sa_handler = onChildSignal, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
  sigemptyset(&action.sa_mask);
  sigaction(SIGCHLD, &action, NULL);

  size_t capacity = 1 << 16, filled = 0;
  char *requests = malloc(capacity);
  char chunk[1 << 16];
  struct epoll_event ready[64];
  if (!requests) fail("out of memory");
  events = epoll_create1(EPOLL_CLOEXEC);
  if (events < 0) fail("no epoll");
  watch(0, EPOLLIN, TAG_REQUESTS);
  watch(childSignal[0], EPOLLIN, TAG_CHILD_SIGNAL);
  for (;;) {
    int count = epoll_wait(events, ready, 64, -1);
    if (count < 0) {
      if (errno == EINTR) continue;
      fail("epoll_wait failed");
    }
    /* In the order the fds became ready. Nothing is added to or removed from the programs until
       the end of the round but by a spawn request, which adds at the end. */
    for (int e = 0; e < count; e++) {
      uint64_t tag = ready[e].data.u64;
      if (tag == TAG_CHILD_SIGNAL) {
        reap();
        continue;
      }
      if (tag == TAG_REQUESTS) {
        if (filled == capacity) {
          capacity *= 2;
          requests = realloc(requests, capacity);
          if (!requests) fail("out of memory");
        }
        ssize_t got = read(0, requests + filled, capacity - filled);
        if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) killAll();
        if (got > 0) filled += (size_t)got;
        size_t used = 0;
        while (filled - used >= 4) {
          uint32_t length;
          memcpy(&length, requests + used, 4);
          if (length < 5) fail("a request frame is too short");
          if (filled - used - 4 < length) break;
          char *frame = requests + used + 4;
          uint32_t id;
          memcpy(&id, frame + 1, 4);
          handleRequest((uint8_t)frame[0], id, frame + 5, frame + length);
          used += 4 + length;
        }
        memmove(requests, requests + used, filled - used);
        filled -= used;
        continue;
      }
      struct program *program = find((uint32_t)(tag >> 8));
      int which = (int)(tag & 0xff);
      if (!program) continue;
      if (which == 3) {
        flushInput(program);
        continue;
      }
      int *fd = &program->output[which - 1];
      if (*fd < 0) continue;
      ssize_t got = read(*fd, chunk, sizeof chunk);
      if (got > 0) sendEvent(EVENT_OUTPUT, program->id, chunk, (size_t)got, which);
      else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(*fd); /* closing removes it from epoll */
        *fd = -1;
      }
    }
    /* Backwards: finishIfDone moves the last program into the place it frees. */
    for (size_t i = programCount; i-- > 0;) finishIfDone(i);
  }
}
