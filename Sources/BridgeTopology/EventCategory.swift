/// The categories StackState sorts Kubernetes events into.
public enum EventCategory: String, Sendable, Codable, CaseIterable {
    /// Things that happened as planned (scheduling, pulling, starting).
    case activities = "Activities"
    /// Things that need attention.
    case alerts = "Alerts"
    /// Things that changed.
    case changes = "Changes"
    /// Everything else.
    case others = "Others"
}

/// Assigns an event its category: the operator's override for the reason, then the built-in table of
/// the StackState Kubernetes integration (seeds: Kubernetes integration, "Events"), else `Others`.
/// The event's type plays no part: the table puts `BackOff` and `ImageGCFailed`, which Kubernetes
/// emits as `Warning`, under `Activities`, and every reason it does not list under `Others`.
public struct EventCategorizer: Sendable {
    /// The built-in table. `SuccesfulCreate` is listed as the integration's documentation spells it,
    /// next to the reason Kubernetes really emits.
    public static let builtIn: [String: EventCategory] = {
        var table: [String: EventCategory] = [:]
        for reason in [
            "BackOff", "ContainerGCFailed", "ExceededGracePeriod", "FileSystemResizeSuccessful", "ImageGCFailed",
            "Killing", "NodeAllocatableEnforced", "NodeNotReady", "NodeSchedulable", "Preempting", "Pulling", "Pulled",
            "Rebooted", "Scheduled", "Starting", "Started", "SuccessfulAttachVolume", "SuccessfulDetachVolume",
            "SuccessfulMountVolume", "SuccessfulUnMountVolume", "VolumeResizeSuccessful",
        ] { table[reason] = .activities }
        table["NotTriggerScaleUp"] = .alerts
        for reason in ["Created", "NodeReady", "SandboxChanged", "SuccesfulCreate", "SuccessfulCreate"] {
            table[reason] = .changes
        }
        return table
    }()

    /// Operator overrides by reason (`event_categories` in the agent's configuration).
    public var overrides: [String: EventCategory]

    /// Creates a categorizer with `overrides`.
    public init(overrides: [String: EventCategory] = [:]) {
        self.overrides = overrides
    }

    /// The category of an event with `reason`, whatever its type (`Normal` or `Warning`).
    public func category(reason: String) -> EventCategory {
        overrides[reason] ?? Self.builtIn[reason] ?? .others
    }
}
