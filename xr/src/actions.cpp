#include "actions.h"

#include <twinseal/xr/openxr_backend.h>

#include <cstdio>
#include <cstring>
#include <utility>

namespace twinseal::xr {

namespace {

constexpr std::array<InputAction, 7> kActions{InputAction::Select,    InputAction::ParticipantPanel,
                                              InputAction::ShowReport, InputAction::LeaveCall,
                                              InputAction::Recenter,  InputAction::GripPose,
                                              InputAction::AimPose};
constexpr const char* kLeft = "/user/hand/left";
constexpr const char* kRight = "/user/hand/right";
// A button event queue nobody drains must not grow without bound.
constexpr std::size_t kMaxQueuedEvents = 256;

std::vector<InputBinding> both(InputAction action, const std::string& component) {
    return {{action, std::string(kLeft) + component}, {action, std::string(kRight) + component}};
}

void add(std::vector<InputBinding>& to, std::vector<InputBinding> more) {
    to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

ProfileBindings profile(const char* path, std::vector<InputBinding> buttons) {
    ProfileBindings p{path, std::move(buttons)};
    add(p.bindings, both(InputAction::GripPose, "/input/grip/pose"));
    add(p.bindings, both(InputAction::AimPose, "/input/aim/pose"));
    return p;
}

std::string left(const char* component) { return std::string(kLeft) + component; }
std::string right(const char* component) { return std::string(kRight) + component; }

} // namespace

std::string_view inputActionName(InputAction action) noexcept {
    switch (action) {
    case InputAction::Select: return "select";
    case InputAction::ParticipantPanel: return "participant-panel";
    case InputAction::ShowReport: return "show-report";
    case InputAction::LeaveCall: return "leave-call";
    case InputAction::Recenter: return "recenter";
    case InputAction::GripPose: return "grip-pose";
    case InputAction::AimPose: return "aim-pose";
    }
    return "unknown";
}

bool isButtonAction(InputAction action) noexcept {
    return action != InputAction::GripPose && action != InputAction::AimPose;
}

std::vector<ProfileBindings> defaultBindings() {
    using A = InputAction;
    std::vector<ProfileBindings> out;
    // Two buttons per hand: select and menu, all four taken (no recenter: the runtime's own).
    out.push_back(profile("/interaction_profiles/khr/simple_controller",
                          {{A::Select, right("/input/select/click")},
                           {A::ShowReport, left("/input/select/click")},
                           {A::ParticipantPanel, left("/input/menu/click")},
                           {A::LeaveCall, right("/input/menu/click")}}));
    // Menu, X and Y on the left only; A and B on the right only; the triggers are analogue (value).
    std::vector<InputBinding> touch = both(A::Select, "/input/trigger/value");
    add(touch, {{A::ParticipantPanel, left("/input/menu/click")},
                {A::ShowReport, right("/input/a/click")},
                {A::LeaveCall, right("/input/b/click")},
                {A::Recenter, left("/input/y/click")}});
    out.push_back(profile("/interaction_profiles/oculus/touch_controller", std::move(touch)));
    // A and B on both hands; no menu button.
    std::vector<InputBinding> index = both(A::Select, "/input/trigger/click");
    add(index, {{A::ParticipantPanel, left("/input/b/click")},
                {A::ShowReport, right("/input/a/click")},
                {A::LeaveCall, right("/input/b/click")},
                {A::Recenter, left("/input/a/click")}});
    out.push_back(profile("/interaction_profiles/valve/index_controller", std::move(index)));
    // Menu, trackpad and trigger on both hands.
    std::vector<InputBinding> vive = both(A::Select, "/input/trigger/click");
    add(vive, {{A::ParticipantPanel, left("/input/menu/click")},
               {A::ShowReport, right("/input/trackpad/click")},
               {A::LeaveCall, right("/input/menu/click")},
               {A::Recenter, left("/input/trackpad/click")}});
    out.push_back(profile("/interaction_profiles/htc/vive_controller", std::move(vive)));
    return out;
}

namespace detail {

namespace {

Error failed(const std::string& call, XrResult r) {
    return Error{ErrorCode::RuntimeError, call + " returned " + xrResultName(r)};
}

std::string openXrName(InputAction action) {
    std::string name(inputActionName(action));
    for (char& c : name)
        if (c == '-')
            c = '_';
    return name;
}

std::string localizedName(InputAction action) {
    switch (action) {
    case InputAction::Select: return "Select a participant";
    case InputAction::ParticipantPanel: return "Participant panel";
    case InputAction::ShowReport: return "Show verification report";
    case InputAction::LeaveCall: return "Leave the call";
    case InputAction::Recenter: return "Recenter the panel";
    case InputAction::GripPose: return "Hand grip pose";
    case InputAction::AimPose: return "Hand aim pose";
    }
    return "Unknown";
}

void copyName(char* out, std::size_t size, const std::string& name) {
    (void)std::snprintf(out, size, "%s", name.c_str());
}

TrackedPose fromLocation(const XrSpaceLocation& l) {
    TrackedPose p;
    constexpr XrSpaceLocationFlags kBoth =
        XR_SPACE_LOCATION_POSITION_VALID_BIT | XR_SPACE_LOCATION_ORIENTATION_VALID_BIT;
    p.tracked = (l.locationFlags & kBoth) == kBoth;
    p.position = {l.pose.position.x, l.pose.position.y, l.pose.position.z};
    p.orientation = {l.pose.orientation.x, l.pose.orientation.y, l.pose.orientation.z,
                     l.pose.orientation.w};
    return p;
}

} // namespace

Status InputActions::create(XrInstance instance, XrSession session,
                            const std::vector<ProfileBindings>& bindings) {
    destroy();
    instance_ = instance;
    session_ = session;

    XrResult r = xrStringToPath(instance, kLeft, &hands_[0]);
    if (XR_SUCCEEDED(r))
        r = xrStringToPath(instance, kRight, &hands_[1]);
    if (XR_FAILED(r))
        return failed("xrStringToPath", r);

    XrActionSetCreateInfo setInfo{};
    setInfo.type = XR_TYPE_ACTION_SET_CREATE_INFO;
    copyName(setInfo.actionSetName, sizeof setInfo.actionSetName, "twinseal_call");
    copyName(setInfo.localizedActionSetName, sizeof setInfo.localizedActionSetName, "TwinSeal call");
    setInfo.priority = 0;
    r = xrCreateActionSet(instance, &setInfo, &actionSet_);
    if (XR_FAILED(r)) {
        actionSet_ = XR_NULL_HANDLE;
        return failed("xrCreateActionSet", r);
    }
    for (InputAction a : kActions) {
        XrActionCreateInfo info{};
        info.type = XR_TYPE_ACTION_CREATE_INFO;
        copyName(info.actionName, sizeof info.actionName, openXrName(a));
        copyName(info.localizedActionName, sizeof info.localizedActionName, localizedName(a));
        info.actionType = isButtonAction(a) ? XR_ACTION_TYPE_BOOLEAN_INPUT : XR_ACTION_TYPE_POSE_INPUT;
        // The poses are per hand; the buttons mean the same on either hand.
        if (!isButtonAction(a)) {
            info.countSubactionPaths = static_cast<std::uint32_t>(hands_.size());
            info.subactionPaths = hands_.data();
        }
        r = xrCreateAction(actionSet_, &info, &actions_[static_cast<std::size_t>(a)]);
        if (XR_FAILED(r))
            return failed("xrCreateAction(" + openXrName(a) + ")", r);
    }

    for (const ProfileBindings& p : bindings) {
        XrPath profilePath = XR_NULL_PATH;
        r = xrStringToPath(instance, p.profile.c_str(), &profilePath);
        if (XR_FAILED(r))
            return failed("xrStringToPath(" + p.profile + ")", r);
        std::vector<XrActionSuggestedBinding> suggested;
        for (const InputBinding& b : p.bindings) {
            XrPath path = XR_NULL_PATH;
            r = xrStringToPath(instance, b.path.c_str(), &path);
            if (XR_FAILED(r))
                return failed("xrStringToPath(" + b.path + ")", r);
            suggested.push_back({actions_[static_cast<std::size_t>(b.action)], path});
        }
        XrInteractionProfileSuggestedBinding info{};
        info.type = XR_TYPE_INTERACTION_PROFILE_SUGGESTED_BINDING;
        info.interactionProfile = profilePath;
        info.countSuggestedBindings = static_cast<std::uint32_t>(suggested.size());
        info.suggestedBindings = suggested.data();
        r = xrSuggestInteractionProfileBindings(instance, &info);
        if (XR_FAILED(r))
            return failed("xrSuggestInteractionProfileBindings(" + p.profile + ")", r);
    }

    XrReferenceSpaceCreateInfo ref{};
    ref.type = XR_TYPE_REFERENCE_SPACE_CREATE_INFO;
    ref.poseInReferenceSpace.orientation.w = 1.f;
    ref.referenceSpaceType = XR_REFERENCE_SPACE_TYPE_LOCAL;
    r = xrCreateReferenceSpace(session, &ref, &localSpace_);
    if (XR_FAILED(r))
        return failed("xrCreateReferenceSpace(LOCAL)", r);
    ref.referenceSpaceType = XR_REFERENCE_SPACE_TYPE_VIEW;
    r = xrCreateReferenceSpace(session, &ref, &viewSpace_);
    if (XR_FAILED(r))
        return failed("xrCreateReferenceSpace(VIEW)", r);
    for (std::size_t i = 0; i < handSpaces_.size(); ++i) {
        XrActionSpaceCreateInfo info{};
        info.type = XR_TYPE_ACTION_SPACE_CREATE_INFO;
        info.action = actions_[static_cast<std::size_t>(i < 2 ? InputAction::GripPose : InputAction::AimPose)];
        info.subactionPath = hands_[i % 2];
        info.poseInActionSpace.orientation.w = 1.f;
        r = xrCreateActionSpace(session, &info, &handSpaces_[i]);
        if (XR_FAILED(r))
            return failed("xrCreateActionSpace", r);
    }

    XrSessionActionSetsAttachInfo attach{};
    attach.type = XR_TYPE_SESSION_ACTION_SETS_ATTACH_INFO;
    attach.countActionSets = 1;
    attach.actionSets = &actionSet_;
    r = xrAttachSessionActionSets(session, &attach);
    if (XR_FAILED(r))
        return failed("xrAttachSessionActionSets", r);
    return {};
}

void InputActions::destroy() noexcept {
    for (XrSpace& s : handSpaces_) {
        if (s != XR_NULL_HANDLE)
            xrDestroySpace(s);
        s = XR_NULL_HANDLE;
    }
    for (XrSpace* s : {&viewSpace_, &localSpace_}) {
        if (*s != XR_NULL_HANDLE)
            xrDestroySpace(*s);
        *s = XR_NULL_HANDLE;
    }
    if (actionSet_ != XR_NULL_HANDLE)
        xrDestroyActionSet(actionSet_);  // destroys its actions too
    actionSet_ = XR_NULL_HANDLE;
    actions_ = {};
    pressed_ = {};
    recenterPressed_ = false;
    instance_ = XR_NULL_HANDLE;
    session_ = XR_NULL_HANDLE;
    std::lock_guard lock(mutex_);
    events_.clear();
    poses_ = {};
    profile_.clear();
}

Status InputActions::sync(XrTime time) {
    if (actionSet_ == XR_NULL_HANDLE)
        return {};
    XrActiveActionSet active{actionSet_, XR_NULL_PATH};
    XrActionsSyncInfo info{};
    info.type = XR_TYPE_ACTIONS_SYNC_INFO;
    info.countActiveActionSets = 1;
    info.activeActionSets = &active;
    XrResult r = xrSyncActions(session_, &info);
    if (XR_FAILED(r))
        return failed("xrSyncActions", r);
    // XR_SESSION_NOT_FOCUSED: every action is inactive; the states below say so.

    std::vector<InputEvent> presses;
    for (std::size_t i = 0; i < pressed_.size(); ++i) {
        XrActionStateGetInfo get{};
        get.type = XR_TYPE_ACTION_STATE_GET_INFO;
        get.action = actions_[i];
        XrActionStateBoolean state{};
        state.type = XR_TYPE_ACTION_STATE_BOOLEAN;
        r = xrGetActionStateBoolean(session_, &get, &state);
        if (XR_FAILED(r))
            return failed("xrGetActionStateBoolean(" + openXrName(kActions[i]) + ")", r);
        const bool now = state.isActive == XR_TRUE && state.currentState == XR_TRUE;
        if (now && !pressed_[i] && state.changedSinceLastSync == XR_TRUE) {
            presses.push_back(InputEvent{kActions[i], state.lastChangeTime});
            if (kActions[i] == InputAction::Recenter)
                recenterPressed_ = true;
        }
        pressed_[i] = now;
    }
    if (!presses.empty()) {
        std::lock_guard lock(mutex_);
        for (const InputEvent& e : presses) {
            if (events_.size() >= kMaxQueuedEvents)
                events_.pop_front();
            events_.push_back(e);
        }
    }
    return time > 0 ? locate(time) : Status{};
}

Status InputActions::locate(XrTime time) {
    TrackedPoses next;
    next.time = time;
    std::array<TrackedPose*, 5> out{&next.head, &next.leftGrip, &next.rightGrip, &next.leftAim,
                                    &next.rightAim};
    std::array<XrSpace, 5> spaces{viewSpace_, handSpaces_[0], handSpaces_[1], handSpaces_[2],
                                  handSpaces_[3]};
    for (std::size_t i = 0; i < spaces.size(); ++i) {
        XrSpaceLocation location{};
        location.type = XR_TYPE_SPACE_LOCATION;
        const XrResult r = xrLocateSpace(spaces[i], localSpace_, time, &location);
        if (XR_FAILED(r))
            return failed(i == 0 ? "xrLocateSpace(VIEW)" : "xrLocateSpace(hand)", r);
        *out[i] = fromLocation(location);
    }
    std::lock_guard lock(mutex_);
    next.sequence = poses_.sequence + 1;
    poses_ = next;
    return {};
}

void InputActions::refreshInteractionProfile() {
    if (actionSet_ == XR_NULL_HANDLE)
        return;
    std::string found;
    for (XrPath hand : hands_) {
        XrInteractionProfileState state{};
        state.type = XR_TYPE_INTERACTION_PROFILE_STATE;
        if (XR_FAILED(xrGetCurrentInteractionProfile(session_, hand, &state)) ||
            state.interactionProfile == XR_NULL_PATH)
            continue;
        char buffer[XR_MAX_PATH_LENGTH] = {};
        std::uint32_t n = 0;
        if (XR_SUCCEEDED(xrPathToString(instance_, state.interactionProfile, sizeof buffer, &n, buffer))) {
            found = buffer;
            break;
        }
    }
    std::lock_guard lock(mutex_);
    profile_ = found;
}

std::vector<InputEvent> InputActions::takeEvents() {
    std::lock_guard lock(mutex_);
    std::vector<InputEvent> out(events_.begin(), events_.end());
    events_.clear();
    return out;
}

TrackedPoses InputActions::poses() const {
    std::lock_guard lock(mutex_);
    return poses_;
}

std::string InputActions::interactionProfile() const {
    std::lock_guard lock(mutex_);
    return profile_;
}

} // namespace detail

} // namespace twinseal::xr
