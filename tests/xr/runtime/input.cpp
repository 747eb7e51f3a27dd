// TwinSeal Test Runtime: input (OpenXR 1.0 "Semantic Paths" and "Input and Haptics").
//
// Paths (per instance), action sets and actions, suggested bindings validated like a real
// runtime (only the binding paths the specification lists for each interaction profile; anything
// else is XR_ERROR_PATH_UNSUPPORTED), attaching action sets to a session, xrSyncActions,
// boolean / float / pose action states, action spaces and xrLocateSpace, and the current
// interaction profile (XrEventDataInteractionProfileChanged when it changes).
//
// The emulated device, driven by tests through test_runtime_control.h: one controller per hand of
// one interaction profile (khr/simple_controller until a test picks another), its inputs (each a
// component path with a value: 1 pressed, 0 released, analogue values between), and the tracked
// poses of the head ("/user/head", the VIEW space) and of each hand's grip and aim poses, in
// LOCAL space. A boolean action bound to an analogue input is pressed at 0.5 and above.
#include "runtime_internal.h"
#include "test_runtime_control.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#define TWINSEAL_RUNTIME_EXPORT extern "C" __attribute__((visibility("default")))

namespace twinseal_test_runtime {

namespace {

// ---- the interaction profiles of OpenXR 1.0 this runtime knows ----

enum Hands { kLeft = 1, kRight = 2, kBoth = 3 };
struct Component {
    const char* path;  // below the user path, e.g. "/input/trigger/value"
    int hands;
};
struct Profile {
    const char* path;
    std::vector<Component> components;
};

const std::vector<Profile>& profiles() {
    static const std::vector<Profile> all{
        {"/interaction_profiles/khr/simple_controller",
         {{"/input/select/click", kBoth}, {"/input/menu/click", kBoth}, {"/input/grip/pose", kBoth},
          {"/input/aim/pose", kBoth}, {"/output/haptic", kBoth}}},
        {"/interaction_profiles/oculus/touch_controller",
         {{"/input/x/click", kLeft},          {"/input/x/touch", kLeft},
          {"/input/y/click", kLeft},          {"/input/y/touch", kLeft},
          {"/input/menu/click", kLeft},       {"/input/a/click", kRight},
          {"/input/a/touch", kRight},         {"/input/b/click", kRight},
          {"/input/b/touch", kRight},         {"/input/system/click", kRight},
          {"/input/squeeze/value", kBoth},    {"/input/trigger/value", kBoth},
          {"/input/trigger/touch", kBoth},    {"/input/thumbstick/x", kBoth},
          {"/input/thumbstick/y", kBoth},     {"/input/thumbstick/click", kBoth},
          {"/input/thumbstick/touch", kBoth}, {"/input/thumbrest/touch", kBoth},
          {"/input/grip/pose", kBoth},        {"/input/aim/pose", kBoth},
          {"/output/haptic", kBoth}}},
        {"/interaction_profiles/valve/index_controller",
         {{"/input/system/click", kBoth},     {"/input/system/touch", kBoth},
          {"/input/a/click", kBoth},          {"/input/a/touch", kBoth},
          {"/input/b/click", kBoth},          {"/input/b/touch", kBoth},
          {"/input/squeeze/value", kBoth},    {"/input/squeeze/force", kBoth},
          {"/input/trigger/click", kBoth},    {"/input/trigger/value", kBoth},
          {"/input/trigger/touch", kBoth},    {"/input/thumbstick/x", kBoth},
          {"/input/thumbstick/y", kBoth},     {"/input/thumbstick/click", kBoth},
          {"/input/thumbstick/touch", kBoth}, {"/input/trackpad/x", kBoth},
          {"/input/trackpad/y", kBoth},       {"/input/trackpad/force", kBoth},
          {"/input/trackpad/touch", kBoth},   {"/input/grip/pose", kBoth},
          {"/input/aim/pose", kBoth},         {"/output/haptic", kBoth}}},
        {"/interaction_profiles/htc/vive_controller",
         {{"/input/system/click", kBoth},    {"/input/squeeze/click", kBoth},
          {"/input/menu/click", kBoth},      {"/input/trigger/click", kBoth},
          {"/input/trigger/value", kBoth},   {"/input/trackpad/x", kBoth},
          {"/input/trackpad/y", kBoth},      {"/input/trackpad/click", kBoth},
          {"/input/trackpad/touch", kBoth},  {"/input/grip/pose", kBoth},
          {"/input/aim/pose", kBoth},        {"/output/haptic", kBoth}}},
    };
    return all;
}

const Profile* findProfile(const std::string& path) {
    for (const Profile& p : profiles())
        if (path == p.path)
            return &p;
    return nullptr;
}

constexpr const char* kUserPaths[] = {"/user/hand/left", "/user/hand/right", "/user/head",
                                      "/user/gamepad", "/user/treadmill"};

bool isUserPath(const std::string& path) {
    for (const char* u : kUserPaths)
        if (path == u)
            return true;
    return false;
}

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// The hand bit of a binding path ("/user/hand/left/..." -> kLeft) and the rest; 0 otherwise.
int splitHand(const std::string& path, std::string& rest) {
    for (int hand : {kLeft, kRight}) {
        const std::string prefix = hand == kLeft ? "/user/hand/left" : "/user/hand/right";
        if (startsWith(path, prefix + "/")) {
            rest = path.substr(prefix.size());
            return hand;
        }
    }
    return 0;
}

// Whether `path` is a binding path of `profile`: a listed component on a hand that has it, or
// an identifier whose component is left to the runtime (".../input/trigger").
bool supportedBinding(const Profile& profile, const std::string& path) {
    std::string rest;
    const int hand = splitHand(path, rest);
    if (hand == 0)
        return false;
    for (const Component& c : profile.components) {
        if ((c.hands & hand) == 0)
            continue;
        if (rest == c.path || startsWith(c.path, rest + "/"))
            return startsWith(rest, "/input/") || startsWith(rest, "/output/");
    }
    return false;
}

// The component an action of `type` reads from binding `path` of `profile` (empty: none).
std::string resolveComponent(const Profile& profile, const std::string& path, XrActionType type) {
    std::string rest;
    const int hand = splitHand(path, rest);
    auto has = [&](const std::string& component) {
        for (const Component& c : profile.components)
            if ((c.hands & hand) != 0 && component == c.path)
                return true;
        return false;
    };
    if (has(rest))
        return path;
    const char* order[3] = {nullptr, nullptr, nullptr};
    switch (type) {
    case XR_ACTION_TYPE_BOOLEAN_INPUT: order[0] = "/click"; order[1] = "/value"; break;
    case XR_ACTION_TYPE_FLOAT_INPUT: order[0] = "/value"; order[1] = "/click"; break;
    case XR_ACTION_TYPE_POSE_INPUT: order[0] = "/pose"; break;
    default: break;
    }
    for (const char* suffix : order)
        if (suffix != nullptr && has(rest + suffix))
            return path + suffix;
    return {};
}

bool endsWith(const std::string& s, const char* suffix) {
    const std::size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// ---- paths ----

struct PathTable {
    std::vector<std::string> strings;  // XrPath n is strings[n - 1]
    std::map<std::string, XrPath> ids;
};
std::map<XrInstance, PathTable> g_paths;

bool wellFormed(const char* text) {
    const std::size_t n = strnlen(text, XR_MAX_PATH_LENGTH);
    if (n == 0 || n >= XR_MAX_PATH_LENGTH || text[0] != '/' || text[n - 1] == '/')
        return false;
    std::size_t segmentStart = 1;
    bool onlyPeriods = true;
    for (std::size_t i = 1; i <= n; ++i) {
        const char c = i < n ? text[i] : '/';
        if (c == '/') {
            if (i == segmentStart || onlyPeriods)
                return false;  // "//" or a segment of periods only
            segmentStart = i + 1;
            onlyPeriods = true;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return false;
        onlyPeriods = onlyPeriods && c == '.';
    }
    return true;
}

XrPath internLocked(XrInstance instance, const std::string& text) {
    PathTable& t = g_paths[instance];
    if (auto it = t.ids.find(text); it != t.ids.end())
        return it->second;
    t.strings.push_back(text);
    const XrPath id = t.strings.size();
    t.ids.emplace(text, id);
    return id;
}

const std::string* pathStringLocked(XrInstance instance, XrPath path) {
    auto it = g_paths.find(instance);
    if (it == g_paths.end() || path == XR_NULL_PATH || path > it->second.strings.size())
        return nullptr;
    return &it->second.strings[path - 1];
}

// ---- action sets, actions, bindings, sessions ----

struct ActionState {
    bool active = false;
    bool boolean = false;
    float value = 0.f;
    bool changed = false;
    XrTime lastChange = 0;
};

struct ActionSet;
struct Action {
    ActionSet* set = nullptr;
    std::string name;
    XrActionType type = XR_ACTION_TYPE_BOOLEAN_INPUT;
    std::vector<XrPath> subactions;
    std::map<XrSession, std::vector<ActionState>> states;  // per session: [0] any, [1 + i] subaction i
};

struct ActionSet {
    XrInstance instance = XR_NULL_HANDLE;
    std::string name, localized;
    std::uint32_t priority = 0;
    bool attached = false;
    std::vector<std::unique_ptr<Action>> actions;
};
std::vector<std::unique_ptr<ActionSet>> g_sets;

struct Suggested {
    Action* action;
    std::string path;
};
// Per instance, per interaction profile: the application's latest suggestions.
std::map<XrInstance, std::map<std::string, std::vector<Suggested>>> g_suggested;

struct SessionInput {
    std::vector<ActionSet*> attached;
    std::map<std::string, std::vector<Suggested>> bindings;  // fixed at attach
    std::string profile;                                      // the current one (empty: none)
};
std::map<XrSession, SessionInput> g_sessionInput;

struct ActionSpace {
    XrSession session = XR_NULL_HANDLE;
    Action* action = nullptr;
    XrPath subaction = XR_NULL_PATH;
    XrPosef offset{};
};
std::vector<std::unique_ptr<ActionSpace>> g_actionSpaces;

// ---- the emulated device ----

struct ScriptedPose {
    XrPosef pose;
    bool tracked = true;
};
std::string g_controller;                         // its interaction profile
std::map<std::string, float> g_inputs;            // component path -> value
std::map<std::string, ScriptedPose> g_poses;      // "/user/head", ".../input/grip/pose", ...
std::map<std::string, int> g_suggestionCounts;    // profile -> bindings accepted last time
std::uint64_t g_focusedSyncs = 0;

void resetDeviceLocked() {
    g_controller = "/interaction_profiles/khr/simple_controller";
    g_inputs.clear();
    g_poses.clear();
    g_poses["/user/head"] = {identityPose(), true};
    // Hands held in front, a little below the head and 0.2 m to either side.
    for (const char* hand : {"/user/hand/left", "/user/hand/right"}) {
        const float x = std::strcmp(hand, "/user/hand/left") == 0 ? -0.2f : 0.2f;
        XrPosef p = identityPose();
        p.position = {x, -0.4f, -0.3f};
        g_poses[std::string(hand) + "/input/grip/pose"] = {p, true};
        g_poses[std::string(hand) + "/input/aim/pose"] = {p, true};
    }
    g_suggestionCounts.clear();
    g_focusedSyncs = 0;
}

struct DeviceInit {
    DeviceInit() noexcept { resetDeviceLocked(); }
} g_deviceInit;

ActionSet* findSetLocked(XrActionSet handle) {
    auto* wanted = reinterpret_cast<ActionSet*>(handle);
    for (const auto& s : g_sets)
        if (s.get() == wanted)
            return wanted;
    return nullptr;
}

Action* findActionLocked(XrAction handle) {
    auto* wanted = reinterpret_cast<Action*>(handle);
    for (const auto& s : g_sets)
        for (const auto& a : s->actions)
            if (a.get() == wanted)
                return wanted;
    return nullptr;
}

ActionSpace* findActionSpaceLocked(XrSpace handle) {
    auto* wanted = reinterpret_cast<ActionSpace*>(handle);
    for (const auto& s : g_actionSpaces)
        if (s.get() == wanted)
            return wanted;
    return nullptr;
}

bool validName(const char* name, std::size_t size) {
    const std::size_t n = strnlen(name, size);
    if (n == 0 || n >= size)
        return false;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

// Index into Action::states for `subaction` (0 for XR_NULL_PATH); -1 when not one of its own.
int subactionIndex(const Action& a, XrPath subaction) {
    if (subaction == XR_NULL_PATH)
        return 0;
    for (std::size_t i = 0; i < a.subactions.size(); ++i)
        if (a.subactions[i] == subaction)
            return static_cast<int>(i) + 1;
    return -1;
}

XrTime nowXr() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The current profile's bindings of `a` in `session` that apply to `subaction` (a user path
// string, empty: all), resolved to components.
std::vector<std::string> boundComponentsLocked(const SessionInput& in, const Action& a,
                                               const std::string& subaction) {
    std::vector<std::string> out;
    const Profile* profile = findProfile(in.profile);
    auto it = in.bindings.find(in.profile);
    if (profile == nullptr || it == in.bindings.end())
        return out;
    for (const Suggested& s : it->second) {
        if (s.action != &a || (!subaction.empty() && !startsWith(s.path, subaction + "/")))
            continue;
        std::string component = resolveComponent(*profile, s.path, a.type);
        if (component.empty())
            continue;
        const bool pose = endsWith(component, "/pose");
        if (pose != (a.type == XR_ACTION_TYPE_POSE_INPUT))
            continue;  // a type the binding cannot give: not bound
        out.push_back(component);
    }
    return out;
}

// The profile a session uses now: the emulated controller's, if the application suggested
// bindings for it; changes are announced with XrEventDataInteractionProfileChanged.
void updateProfileLocked(XrSession session, SessionInput& in) {
    const std::string next = in.bindings.count(g_controller) != 0 ? g_controller : std::string();
    if (next == in.profile)
        return;
    in.profile = next;
    XrInstance instance = XR_NULL_HANDLE;
    bool running = false, focused = false;
    if (!sessionLocked(session, &instance, &running, &focused))
        return;
    if (!next.empty())
        (void)internLocked(instance, next);
    XrEventDataInteractionProfileChanged event{};
    event.type = XR_TYPE_EVENT_DATA_INTERACTION_PROFILE_CHANGED;
    event.session = session;
    queueEventLocked(instance, &event, sizeof event);
}

// ---- the functions ----

XrResult XRAPI_CALL rtStringToPath(XrInstance instance, const char* text, XrPath* path) {
    std::lock_guard lock(runtimeMutex());
    if (!instanceAliveLocked(instance))
        return XR_ERROR_HANDLE_INVALID;
    if (text == nullptr || path == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    if (!wellFormed(text))
        return XR_ERROR_PATH_FORMAT_INVALID;
    *path = internLocked(instance, text);
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtPathToString(XrInstance instance, XrPath path, uint32_t capacity,
                                   uint32_t* count, char* buffer) {
    std::lock_guard lock(runtimeMutex());
    if (!instanceAliveLocked(instance))
        return XR_ERROR_HANDLE_INVALID;
    const std::string* text = pathStringLocked(instance, path);
    if (text == nullptr)
        return XR_ERROR_PATH_INVALID;
    if (count == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    *count = static_cast<uint32_t>(text->size() + 1);
    if (capacity == 0)
        return XR_SUCCESS;
    if (capacity < *count)
        return XR_ERROR_SIZE_INSUFFICIENT;
    if (buffer == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    std::memcpy(buffer, text->c_str(), text->size() + 1);
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtCreateActionSet(XrInstance instance, const XrActionSetCreateInfo* info,
                                      XrActionSet* out) {
    std::lock_guard lock(runtimeMutex());
    if (!instanceAliveLocked(instance))
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || out == nullptr || info->type != XR_TYPE_ACTION_SET_CREATE_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (!validName(info->actionSetName, sizeof info->actionSetName))
        return XR_ERROR_NAME_INVALID;
    const std::size_t localized = strnlen(info->localizedActionSetName, sizeof info->localizedActionSetName);
    if (localized == 0 || localized >= sizeof info->localizedActionSetName)
        return XR_ERROR_LOCALIZED_NAME_INVALID;
    for (const auto& s : g_sets) {
        if (s->instance != instance)
            continue;
        if (s->name == info->actionSetName)
            return XR_ERROR_NAME_DUPLICATED;
        if (s->localized == info->localizedActionSetName)
            return XR_ERROR_LOCALIZED_NAME_DUPLICATED;
    }
    auto set = std::make_unique<ActionSet>();
    set->instance = instance;
    set->name = info->actionSetName;
    set->localized = info->localizedActionSetName;
    set->priority = info->priority;
    *out = reinterpret_cast<XrActionSet>(set.get());
    g_sets.push_back(std::move(set));
    return XR_SUCCESS;
}

// Forgets everything that refers to `a` (bindings, action spaces).
void forgetActionLocked(const Action* a) {
    for (auto& [instance, byProfile] : g_suggested)
        for (auto& [profile, list] : byProfile)
            std::erase_if(list, [&](const Suggested& s) { return s.action == a; });
    for (auto& [session, in] : g_sessionInput)
        for (auto& [profile, list] : in.bindings)
            std::erase_if(list, [&](const Suggested& s) { return s.action == a; });
    std::erase_if(g_actionSpaces, [&](const auto& s) { return s->action == a; });
}

XrResult XRAPI_CALL rtDestroyActionSet(XrActionSet handle) {
    std::lock_guard lock(runtimeMutex());
    ActionSet* set = findSetLocked(handle);
    if (set == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    for (const auto& a : set->actions)
        forgetActionLocked(a.get());
    for (auto& [session, in] : g_sessionInput)
        std::erase(in.attached, set);
    std::erase_if(g_sets, [&](const auto& s) { return s.get() == set; });
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtCreateAction(XrActionSet handle, const XrActionCreateInfo* info, XrAction* out) {
    std::lock_guard lock(runtimeMutex());
    ActionSet* set = findSetLocked(handle);
    if (set == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || out == nullptr || info->type != XR_TYPE_ACTION_CREATE_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    if (set->attached)
        return XR_ERROR_ACTIONSETS_ALREADY_ATTACHED;
    if (!validName(info->actionName, sizeof info->actionName))
        return XR_ERROR_NAME_INVALID;
    const std::size_t localized = strnlen(info->localizedActionName, sizeof info->localizedActionName);
    if (localized == 0 || localized >= sizeof info->localizedActionName)
        return XR_ERROR_LOCALIZED_NAME_INVALID;
    switch (info->actionType) {
    case XR_ACTION_TYPE_BOOLEAN_INPUT:
    case XR_ACTION_TYPE_FLOAT_INPUT:
    case XR_ACTION_TYPE_VECTOR2F_INPUT:
    case XR_ACTION_TYPE_POSE_INPUT:
    case XR_ACTION_TYPE_VIBRATION_OUTPUT: break;
    default: return XR_ERROR_VALIDATION_FAILURE;
    }
    for (const auto& a : set->actions)
        if (a->name == info->actionName)
            return XR_ERROR_NAME_DUPLICATED;
    auto action = std::make_unique<Action>();
    action->set = set;
    action->name = info->actionName;
    action->type = info->actionType;
    if (info->countSubactionPaths > 0 && info->subactionPaths == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    for (uint32_t i = 0; i < info->countSubactionPaths; ++i) {
        const XrPath p = info->subactionPaths[i];
        const std::string* text = pathStringLocked(set->instance, p);
        if (text == nullptr)
            return XR_ERROR_PATH_INVALID;
        if (!isUserPath(*text) ||
            std::find(action->subactions.begin(), action->subactions.end(), p) != action->subactions.end())
            return XR_ERROR_PATH_UNSUPPORTED;
        action->subactions.push_back(p);
    }
    *out = reinterpret_cast<XrAction>(action.get());
    set->actions.push_back(std::move(action));
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtDestroyAction(XrAction handle) {
    std::lock_guard lock(runtimeMutex());
    Action* a = findActionLocked(handle);
    if (a == nullptr)
        return XR_ERROR_HANDLE_INVALID;
    forgetActionLocked(a);
    std::erase_if(a->set->actions, [&](const auto& p) { return p.get() == a; });
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtSuggestInteractionProfileBindings(
    XrInstance instance, const XrInteractionProfileSuggestedBinding* info) {
    std::lock_guard lock(runtimeMutex());
    if (!instanceAliveLocked(instance))
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || info->type != XR_TYPE_INTERACTION_PROFILE_SUGGESTED_BINDING ||
        info->countSuggestedBindings == 0 || info->suggestedBindings == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    const std::string* profilePath = pathStringLocked(instance, info->interactionProfile);
    if (profilePath == nullptr)
        return XR_ERROR_PATH_INVALID;
    const Profile* profile = findProfile(*profilePath);
    if (profile == nullptr)
        return XR_ERROR_PATH_UNSUPPORTED;
    std::vector<Suggested> accepted;
    for (uint32_t i = 0; i < info->countSuggestedBindings; ++i) {
        const XrActionSuggestedBinding& b = info->suggestedBindings[i];
        Action* a = findActionLocked(b.action);
        if (a == nullptr || a->set->instance != instance)
            return XR_ERROR_HANDLE_INVALID;
        if (a->set->attached)
            return XR_ERROR_ACTIONSETS_ALREADY_ATTACHED;
        const std::string* path = pathStringLocked(instance, b.binding);
        if (path == nullptr)
            return XR_ERROR_PATH_INVALID;
        if (!supportedBinding(*profile, *path)) {
            (void)std::fprintf(stderr, "TwinSeal Test Runtime: %s has no binding path %s\n",
                         profile->path, path->c_str());
            return XR_ERROR_PATH_UNSUPPORTED;
        }
        accepted.push_back({a, *path});
    }
    g_suggestionCounts[profile->path] = static_cast<int>(accepted.size());
    g_suggested[instance][profile->path] = std::move(accepted);  // replaces earlier suggestions
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtAttachSessionActionSets(XrSession session,
                                              const XrSessionActionSetsAttachInfo* info) {
    std::lock_guard lock(runtimeMutex());
    XrInstance instance = XR_NULL_HANDLE;
    bool running = false, focused = false;
    if (!sessionLocked(session, &instance, &running, &focused))
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || info->type != XR_TYPE_SESSION_ACTION_SETS_ATTACH_INFO ||
        info->countActionSets == 0 || info->actionSets == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    if (g_sessionInput.count(session) != 0)
        return XR_ERROR_ACTIONSETS_ALREADY_ATTACHED;
    SessionInput in;
    for (uint32_t i = 0; i < info->countActionSets; ++i) {
        ActionSet* set = findSetLocked(info->actionSets[i]);
        if (set == nullptr || set->instance != instance)
            return XR_ERROR_HANDLE_INVALID;
        in.attached.push_back(set);
    }
    for (ActionSet* set : in.attached) {
        set->attached = true;
        for (auto& a : set->actions)
            a->states[session].assign(1 + a->subactions.size(), ActionState{});
    }
    // The bindings of the attached sets' actions are fixed from now on.
    for (const auto& [profile, list] : g_suggested[instance])
        for (const Suggested& s : list)
            if (std::find(in.attached.begin(), in.attached.end(), s.action->set) != in.attached.end())
                in.bindings[profile].push_back(s);
    SessionInput& stored = g_sessionInput[session] = std::move(in);
    updateProfileLocked(session, stored);
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtGetCurrentInteractionProfile(XrSession session, XrPath topLevelUserPath,
                                                   XrInteractionProfileState* state) {
    std::lock_guard lock(runtimeMutex());
    XrInstance instance = XR_NULL_HANDLE;
    bool running = false, focused = false;
    if (!sessionLocked(session, &instance, &running, &focused))
        return XR_ERROR_HANDLE_INVALID;
    if (state == nullptr || state->type != XR_TYPE_INTERACTION_PROFILE_STATE)
        return XR_ERROR_VALIDATION_FAILURE;
    auto it = g_sessionInput.find(session);
    if (it == g_sessionInput.end())
        return XR_ERROR_ACTIONSET_NOT_ATTACHED;
    const std::string* user = pathStringLocked(instance, topLevelUserPath);
    if (user == nullptr)
        return XR_ERROR_PATH_INVALID;
    if (!isUserPath(*user))
        return XR_ERROR_PATH_UNSUPPORTED;
    const bool hand = *user == "/user/hand/left" || *user == "/user/hand/right";
    state->interactionProfile =
        hand && !it->second.profile.empty() ? internLocked(instance, it->second.profile) : XR_NULL_PATH;
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtSyncActions(XrSession session, const XrActionsSyncInfo* info) {
    std::lock_guard lock(runtimeMutex());
    XrInstance instance = XR_NULL_HANDLE;
    bool running = false, focused = false;
    if (!sessionLocked(session, &instance, &running, &focused))
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || info->type != XR_TYPE_ACTIONS_SYNC_INFO ||
        (info->countActiveActionSets > 0 && info->activeActionSets == nullptr))
        return XR_ERROR_VALIDATION_FAILURE;
    if (!running)
        return XR_ERROR_SESSION_NOT_RUNNING;
    auto it = g_sessionInput.find(session);
    std::vector<ActionSet*> active;
    for (uint32_t i = 0; i < info->countActiveActionSets; ++i) {
        const XrActiveActionSet& a = info->activeActionSets[i];
        ActionSet* set = findSetLocked(a.actionSet);
        if (set == nullptr)
            return XR_ERROR_HANDLE_INVALID;
        if (it == g_sessionInput.end() ||
            std::find(it->second.attached.begin(), it->second.attached.end(), set) == it->second.attached.end())
            return XR_ERROR_ACTIONSET_NOT_ATTACHED;
        if (a.subactionPath != XR_NULL_PATH) {
            const std::string* text = pathStringLocked(instance, a.subactionPath);
            if (text == nullptr)
                return XR_ERROR_PATH_INVALID;
            if (!isUserPath(*text))
                return XR_ERROR_PATH_UNSUPPORTED;
        }
        active.push_back(set);
    }
    if (it == g_sessionInput.end())
        return focused ? XR_SUCCESS : XR_SESSION_NOT_FOCUSED;
    const XrTime now = nowXr();
    for (ActionSet* set : it->second.attached) {
        const bool setActive = focused && std::find(active.begin(), active.end(), set) != active.end();
        for (auto& a : set->actions) {
            std::vector<ActionState>& states = a->states[session];
            states.resize(1 + a->subactions.size());
            for (std::size_t i = 0; i < states.size(); ++i) {
                const std::string* sub = i == 0 ? nullptr : pathStringLocked(instance, a->subactions[i - 1]);
                const auto components = boundComponentsLocked(it->second, *a, sub ? *sub : std::string());
                ActionState next;
                next.active = setActive && !components.empty();
                if (next.active) {
                    for (const std::string& c : components) {
                        if (a->type == XR_ACTION_TYPE_POSE_INPUT)
                            continue;
                        const float v = g_inputs.count(c) != 0 ? g_inputs[c] : 0.f;
                        next.value = std::max(next.value, v);
                        next.boolean = next.boolean || v >= 0.5f;
                    }
                }
                const ActionState& previous = states[i];
                next.changed = previous.active && next.active &&
                               (next.boolean != previous.boolean || next.value != previous.value);
                next.lastChange = next.changed ? now : previous.lastChange;
                states[i] = next;
            }
        }
    }
    if (!focused)
        return XR_SESSION_NOT_FOCUSED;
    ++g_focusedSyncs;
    return XR_SUCCESS;
}

// The state of `info->action` for `info->subactionPath` in `session`, or an error.
XrResult stateLocked(XrSession session, const XrActionStateGetInfo* info, XrActionType type,
                     const ActionState** out) {
    XrInstance instance = XR_NULL_HANDLE;
    bool running = false, focused = false;
    if (!sessionLocked(session, &instance, &running, &focused))
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || info->type != XR_TYPE_ACTION_STATE_GET_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    Action* a = findActionLocked(info->action);
    if (a == nullptr || a->set->instance != instance)
        return XR_ERROR_HANDLE_INVALID;
    if (a->type != type)
        return XR_ERROR_ACTION_TYPE_MISMATCH;
    auto it = g_sessionInput.find(session);
    if (it == g_sessionInput.end() ||
        std::find(it->second.attached.begin(), it->second.attached.end(), a->set) == it->second.attached.end())
        return XR_ERROR_ACTIONSET_NOT_ATTACHED;
    if (info->subactionPath != XR_NULL_PATH && pathStringLocked(instance, info->subactionPath) == nullptr)
        return XR_ERROR_PATH_INVALID;
    const int index = subactionIndex(*a, info->subactionPath);
    if (index < 0)
        return XR_ERROR_PATH_UNSUPPORTED;
    std::vector<ActionState>& states = a->states[session];
    states.resize(1 + a->subactions.size());
    *out = &states[static_cast<std::size_t>(index)];
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtGetActionStateBoolean(XrSession session, const XrActionStateGetInfo* info,
                                            XrActionStateBoolean* state) {
    std::lock_guard lock(runtimeMutex());
    if (state == nullptr || state->type != XR_TYPE_ACTION_STATE_BOOLEAN)
        return XR_ERROR_VALIDATION_FAILURE;
    const ActionState* s = nullptr;
    if (XrResult r = stateLocked(session, info, XR_ACTION_TYPE_BOOLEAN_INPUT, &s); XR_FAILED(r))
        return r;
    state->isActive = s->active ? XR_TRUE : XR_FALSE;
    state->currentState = s->active && s->boolean ? XR_TRUE : XR_FALSE;
    state->changedSinceLastSync = s->changed ? XR_TRUE : XR_FALSE;
    state->lastChangeTime = s->lastChange;
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtGetActionStateFloat(XrSession session, const XrActionStateGetInfo* info,
                                          XrActionStateFloat* state) {
    std::lock_guard lock(runtimeMutex());
    if (state == nullptr || state->type != XR_TYPE_ACTION_STATE_FLOAT)
        return XR_ERROR_VALIDATION_FAILURE;
    const ActionState* s = nullptr;
    if (XrResult r = stateLocked(session, info, XR_ACTION_TYPE_FLOAT_INPUT, &s); XR_FAILED(r))
        return r;
    state->isActive = s->active ? XR_TRUE : XR_FALSE;
    state->currentState = s->active ? s->value : 0.f;
    state->changedSinceLastSync = s->changed ? XR_TRUE : XR_FALSE;
    state->lastChangeTime = s->lastChange;
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtGetActionStatePose(XrSession session, const XrActionStateGetInfo* info,
                                         XrActionStatePose* state) {
    std::lock_guard lock(runtimeMutex());
    if (state == nullptr || state->type != XR_TYPE_ACTION_STATE_POSE)
        return XR_ERROR_VALIDATION_FAILURE;
    const ActionState* s = nullptr;
    if (XrResult r = stateLocked(session, info, XR_ACTION_TYPE_POSE_INPUT, &s); XR_FAILED(r))
        return r;
    state->isActive = s->active ? XR_TRUE : XR_FALSE;
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtCreateActionSpace(XrSession session, const XrActionSpaceCreateInfo* info,
                                        XrSpace* out) {
    std::lock_guard lock(runtimeMutex());
    XrInstance instance = XR_NULL_HANDLE;
    bool running = false, focused = false;
    if (!sessionLocked(session, &instance, &running, &focused))
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || out == nullptr || info->type != XR_TYPE_ACTION_SPACE_CREATE_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    Action* a = findActionLocked(info->action);
    if (a == nullptr || a->set->instance != instance)
        return XR_ERROR_HANDLE_INVALID;
    if (a->type != XR_ACTION_TYPE_POSE_INPUT)
        return XR_ERROR_ACTION_TYPE_MISMATCH;
    if (info->subactionPath != XR_NULL_PATH && pathStringLocked(instance, info->subactionPath) == nullptr)
        return XR_ERROR_PATH_INVALID;
    if (subactionIndex(*a, info->subactionPath) < 0)
        return XR_ERROR_PATH_UNSUPPORTED;
    auto space = std::make_unique<ActionSpace>();
    space->session = session;
    space->action = a;
    space->subaction = info->subactionPath;
    space->offset = info->poseInActionSpace;
    *out = reinterpret_cast<XrSpace>(space.get());
    g_actionSpaces.push_back(std::move(space));
    return XR_SUCCESS;
}

// Any space's session and pose in LOCAL; false for an unknown handle.
bool spaceLocked(XrSpace handle, XrSession* session, XrPosef* inLocal, bool* tracked) {
    if (referenceSpaceLocked(handle, session, inLocal, tracked))
        return true;
    const ActionSpace* s = findActionSpaceLocked(handle);
    if (s == nullptr)
        return false;
    *session = s->session;
    *tracked = false;
    *inLocal = identityPose();
    auto in = g_sessionInput.find(s->session);
    if (in == g_sessionInput.end())
        return true;
    const int index = subactionIndex(*s->action, s->subaction);
    auto states = s->action->states.find(s->session);
    if (index < 0 || states == s->action->states.end() ||
        static_cast<std::size_t>(index) >= states->second.size() ||
        !states->second[static_cast<std::size_t>(index)].active)
        return true;  // not active at the last xrSyncActions: not located
    XrInstance instance = XR_NULL_HANDLE;
    bool running = false, focused = false;
    if (!sessionLocked(s->session, &instance, &running, &focused))
        return true;
    const std::string* sub = s->subaction == XR_NULL_PATH ? nullptr : pathStringLocked(instance, s->subaction);
    const auto components = boundComponentsLocked(in->second, *s->action, sub ? *sub : std::string());
    for (const std::string& c : components) {
        auto pose = g_poses.find(c);
        if (pose == g_poses.end())
            continue;
        *tracked = pose->second.tracked;
        *inLocal = compose(pose->second.pose, s->offset);
        return true;
    }
    return true;
}

XrResult XRAPI_CALL rtLocateSpace(XrSpace space, XrSpace baseSpace, XrTime time, XrSpaceLocation* location) {
    std::lock_guard lock(runtimeMutex());
    XrSession a = XR_NULL_HANDLE, b = XR_NULL_HANDLE;
    XrPosef poseA{}, poseB{};
    bool trackedA = false, trackedB = false;
    if (!spaceLocked(space, &a, &poseA, &trackedA) || !spaceLocked(baseSpace, &b, &poseB, &trackedB))
        return XR_ERROR_HANDLE_INVALID;
    if (a != b)
        return XR_ERROR_VALIDATION_FAILURE;
    if (location == nullptr || location->type != XR_TYPE_SPACE_LOCATION)
        return XR_ERROR_VALIDATION_FAILURE;
    if (time <= 0)
        return XR_ERROR_TIME_INVALID;
    if (!trackedA || !trackedB) {
        location->locationFlags = 0;
        location->pose = identityPose();
        return XR_SUCCESS;
    }
    location->pose = compose(inverse(poseB), poseA);
    location->locationFlags = XR_SPACE_LOCATION_POSITION_VALID_BIT | XR_SPACE_LOCATION_ORIENTATION_VALID_BIT |
                              XR_SPACE_LOCATION_POSITION_TRACKED_BIT | XR_SPACE_LOCATION_ORIENTATION_TRACKED_BIT;
    return XR_SUCCESS;
}

XrResult XRAPI_CALL rtEnumerateBoundSourcesForAction(XrSession session,
                                                     const XrBoundSourcesForActionEnumerateInfo* info,
                                                     uint32_t capacity, uint32_t* count, XrPath* sources) {
    std::lock_guard lock(runtimeMutex());
    XrInstance instance = XR_NULL_HANDLE;
    bool running = false, focused = false;
    if (!sessionLocked(session, &instance, &running, &focused))
        return XR_ERROR_HANDLE_INVALID;
    if (info == nullptr || count == nullptr || info->type != XR_TYPE_BOUND_SOURCES_FOR_ACTION_ENUMERATE_INFO)
        return XR_ERROR_VALIDATION_FAILURE;
    Action* a = findActionLocked(info->action);
    if (a == nullptr || a->set->instance != instance)
        return XR_ERROR_HANDLE_INVALID;
    auto in = g_sessionInput.find(session);
    if (in == g_sessionInput.end())
        return XR_ERROR_ACTIONSET_NOT_ATTACHED;
    const auto components = boundComponentsLocked(in->second, *a, {});
    *count = static_cast<uint32_t>(components.size());
    if (capacity == 0)
        return XR_SUCCESS;
    if (capacity < components.size())
        return XR_ERROR_SIZE_INSUFFICIENT;
    if (sources == nullptr)
        return XR_ERROR_VALIDATION_FAILURE;
    for (std::size_t i = 0; i < components.size(); ++i)
        sources[i] = internLocked(instance, components[i]);
    return XR_SUCCESS;
}

template <typename F>
PFN_xrVoidFunction asVoid(F f) {
    return reinterpret_cast<PFN_xrVoidFunction>(f);
}

} // namespace

PFN_xrVoidFunction inputFunction(const char* name) {
    static const struct {
        const char* name;
        PFN_xrVoidFunction function;
    } table[] = {
        {"xrStringToPath", asVoid(&rtStringToPath)},
        {"xrPathToString", asVoid(&rtPathToString)},
        {"xrCreateActionSet", asVoid(&rtCreateActionSet)},
        {"xrDestroyActionSet", asVoid(&rtDestroyActionSet)},
        {"xrCreateAction", asVoid(&rtCreateAction)},
        {"xrDestroyAction", asVoid(&rtDestroyAction)},
        {"xrSuggestInteractionProfileBindings", asVoid(&rtSuggestInteractionProfileBindings)},
        {"xrAttachSessionActionSets", asVoid(&rtAttachSessionActionSets)},
        {"xrGetCurrentInteractionProfile", asVoid(&rtGetCurrentInteractionProfile)},
        {"xrSyncActions", asVoid(&rtSyncActions)},
        {"xrGetActionStateBoolean", asVoid(&rtGetActionStateBoolean)},
        {"xrGetActionStateFloat", asVoid(&rtGetActionStateFloat)},
        {"xrGetActionStatePose", asVoid(&rtGetActionStatePose)},
        {"xrCreateActionSpace", asVoid(&rtCreateActionSpace)},
        {"xrLocateSpace", asVoid(&rtLocateSpace)},
        {"xrEnumerateBoundSourcesForAction", asVoid(&rtEnumerateBoundSourcesForAction)},
    };
    for (const auto& e : table)
        if (std::strcmp(name, e.name) == 0)
            return e.function;
    return nullptr;
}

bool destroyActionSpaceLocked(XrSpace space) {
    ActionSpace* s = findActionSpaceLocked(space);
    if (s == nullptr)
        return false;
    std::erase_if(g_actionSpaces, [&](const auto& p) { return p.get() == s; });
    return true;
}

void forgetSessionLocked(XrSession session) {
    std::erase_if(g_actionSpaces, [&](const auto& s) { return s->session == session; });
    g_sessionInput.erase(session);
    for (auto& set : g_sets)
        for (auto& a : set->actions)
            a->states.erase(session);
}

void forgetInstanceLocked(XrInstance instance) {
    std::vector<ActionSet*> gone;
    for (const auto& s : g_sets)
        if (s->instance == instance)
            gone.push_back(s.get());
    for (ActionSet* set : gone) {
        for (const auto& a : set->actions)
            forgetActionLocked(a.get());
        std::erase_if(g_sets, [&](const auto& s) { return s.get() == set; });
    }
    g_suggested.erase(instance);
    g_paths.erase(instance);
}

XrPosef headPoseLocked(bool* tracked) {
    const ScriptedPose& head = g_poses["/user/head"];
    *tracked = head.tracked;
    return head.pose;
}

} // namespace twinseal_test_runtime

// ---- the test-facing interface (test_runtime_control.h) ----

using namespace twinseal_test_runtime;

TWINSEAL_RUNTIME_EXPORT int twinseal_test_runtime_set_controller(const char* profile) {
    std::lock_guard lock(runtimeMutex());
    if (profile == nullptr || findProfile(profile) == nullptr)
        return -1;
    g_controller = profile;
    g_inputs.clear();
    for (auto& [session, in] : g_sessionInput)
        updateProfileLocked(session, in);
    return 0;
}

TWINSEAL_RUNTIME_EXPORT int twinseal_test_runtime_set_input(const char* path, float value) {
    std::lock_guard lock(runtimeMutex());
    const Profile* profile = findProfile(g_controller);
    if (path == nullptr || profile == nullptr || !(value >= 0.f && value <= 1.f))
        return -1;
    std::string rest;
    const int hand = splitHand(path, rest);
    for (const Component& c : profile->components) {
        if ((c.hands & hand) != 0 && rest == c.path && startsWith(rest, "/input/") &&
            !endsWith(rest, "/pose")) {
            g_inputs[path] = value;
            return 0;
        }
    }
    return -1;
}

TWINSEAL_RUNTIME_EXPORT int twinseal_test_runtime_set_pose(const char* path, const float position[3],
                                                          const float orientation[4], int tracked) {
    std::lock_guard lock(runtimeMutex());
    if (path == nullptr || position == nullptr || orientation == nullptr)
        return -1;
    const std::string p = path;
    const bool known = p == "/user/head" ||
                       [&] {
                           std::string rest;
                           return splitHand(p, rest) != 0 && (rest == "/input/grip/pose" || rest == "/input/aim/pose");
                       }();
    if (!known)
        return -1;
    const float n = std::sqrt(orientation[0] * orientation[0] + orientation[1] * orientation[1] +
                              orientation[2] * orientation[2] + orientation[3] * orientation[3]);
    if (!(n > 0.99f && n < 1.01f))
        return -1;  // not a unit quaternion
    ScriptedPose s;
    s.pose.position = {position[0], position[1], position[2]};
    s.pose.orientation = {orientation[0], orientation[1], orientation[2], orientation[3]};
    s.tracked = tracked != 0;
    g_poses[p] = s;
    return 0;
}

TWINSEAL_RUNTIME_EXPORT int twinseal_test_runtime_suggested_bindings(const char* profile) {
    std::lock_guard lock(runtimeMutex());
    if (profile == nullptr)
        return -1;
    auto it = g_suggestionCounts.find(profile);
    return it == g_suggestionCounts.end() ? -1 : it->second;
}

TWINSEAL_RUNTIME_EXPORT uint64_t twinseal_test_runtime_focused_syncs(void) {
    std::lock_guard lock(runtimeMutex());
    return g_focusedSyncs;
}

TWINSEAL_RUNTIME_EXPORT void twinseal_test_runtime_reset_input(void) {
    std::lock_guard lock(runtimeMutex());
    resetDeviceLocked();
    for (auto& [session, in] : g_sessionInput)
        updateProfileLocked(session, in);
}
