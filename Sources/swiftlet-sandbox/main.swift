import Glibc
import SwiftletLauncher

// The launcher of namespaced environments, started by the node (see NamespaceLauncher). It links no Foundation so
// that it starts in a few milliseconds.
exit(NamespaceLauncher.run(arguments: Array(CommandLine.arguments.dropFirst())))
