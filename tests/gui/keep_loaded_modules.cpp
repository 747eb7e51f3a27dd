// Preloaded into the GUI tests that draw with OpenGL under Xvfb in the sanitizer build: makes
// dlclose() keep every library mapped until the process ends.
//
// Mesa's OpenGL driver and the OpenXR test runtime are loaded with dlopen() and unloaded before
// exit. Pointers they keep in their own static data to blocks they allocated vanish with them,
// so LeakSanitizer, which checks at exit, would report those blocks as leaked from "<unknown
// module>" with no way to name them in a suppression. Kept mapped, their static data still
// reaches those blocks, and every leak that is really one is still reported, with its frames.
extern "C" int dlclose(void*) { return 0; }
