#!/usr/bin/env node
// The `keyward` executable. A committed file rather than the build output itself, so package
// managers can link it before the first build.
import '../dist/main.js'
