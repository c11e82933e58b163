import Foundation
import SwiftletCLI

exit(SwiftletCommand.main(Array(CommandLine.arguments.dropFirst())))
