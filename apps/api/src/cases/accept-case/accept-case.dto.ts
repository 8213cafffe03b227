export class AcceptCaseDto {
}
